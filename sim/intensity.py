"""Help intensity: more hours a week of help resolve a need faster, with diminishing returns.

A domain's ``help_hours_per_week`` is what an open case holds of a
professional's week (`sim.professional`). With a ``help_intensity`` block the
help rate of the domain also follows those hours:

``r_d = help_rate_d * (w_d / w_ref_d) ** elasticity``

where ``w_ref_d`` is the reference intensity at which the file's
``help_rate_per_year`` holds (``reference_hours``) and ``0 <= elasticity <= 1``
gives diminishing returns (elasticity 0: hours change nothing but waits, the
older model; 1: help is proportional to hours). The log-linear dose-effect
curve of psychotherapy (Howard, Kopta, Krause & Orlinsky 1986, Am Psychol 41(2):
159-164: about half of clients improved after 8 sessions, three quarters after
26) is the published shape this follows; the elasticity itself is an
assumption. More hours so trade waits (fewer cases per professional) against
effect (shorter help, so fewer dropouts in help and a higher resolved share
among the helped). Domains without a reference keep their help rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.errors import InputError
from sim.reader import Reader


@dataclass(frozen=True)
class HelpIntensity:
    """The dose-effect of help hours: elasticity and the reference hours per domain."""

    elasticity: float = 0.0
    reference_hours: dict[str, float] = field(default_factory=dict)

    def factor(self, domain: str, hours: float) -> float:
        """Multiplier of the domain's help rate at ``hours`` a week of help."""
        ref = self.reference_hours.get(domain)
        if ref is None or self.elasticity == 0.0:
            return 1.0
        return (hours / ref) ** self.elasticity


def read_help_intensity(r: Reader, domains: tuple[str, ...]) -> HelpIntensity:
    """Read the scenario's ``help_intensity`` block; ``reference_hours`` names declared domains."""
    hi = HelpIntensity(
        elasticity=r.number("elasticity", 0.0, 1.0),
        reference_hours=r.child("reference_hours").numbers_by_name(domains, 0.0, 40.0),
    )
    r.finish()
    for d, h in hi.reference_hours.items():
        if h <= 0.0:
            raise InputError(f"help_intensity.reference_hours.{d}", h, "a number in (0, 40]", r.where)
    return hi
