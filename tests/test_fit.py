"""Fit inside an organisation (docs/design.md A7): nobody joins a waiting list that no one can serve."""

from __future__ import annotations

from sim import SocialDomainModel, load_run_config


def test_breadth_only_domain_accepts_light_needs_only() -> None:
    """The wijkteam has no safety specialist: with T-shaped staff it can take light safety needs, never heavier ones."""
    model = SocialDomainModel(load_run_config(working="networked", n_families=3500, horizon_days=10, warm_up_days=0))
    model.activate_levers()  # T-shaped share of the networked preset
    org = model.org_by_name["wijkteam"]
    safety = model.spec.domain_names.index("safety")
    light = model.spec.light_threshold
    assert safety not in org.by_depth and any(safety in p.breadth for p in org.professionals)
    assert org.can_help(safety, light)
    assert not org.can_help(safety, light + 0.01)
    parenting = model.spec.domain_names.index("parenting")
    assert org.can_help(parenting, 0.44)  # a depth domain: any severity the mandate covers


def test_no_stay_on_a_breadth_only_list_outlasts_the_run_when_staff_is_free() -> None:
    """Every stay on the wijkteam's safety list (breadth staff only) is served, not left to dropout or crisis."""
    from sim import run

    # The file's whole staff for 4,000 families (staffed_for = n_families): staff to spare, as the test needs.
    result = run(load_run_config(working="networked", n_families=4000, horizon_days=500, warm_up_days=100,
                                 scenario_overrides={"population.staffed_for": 4000}))
    q = result.queues
    stays = q[(q.organisation == "wijkteam") & (q.queue == "help:safety")]
    util = result.daily_org[result.daily_org.organisation == "wijkteam"].utilisation.mean()
    assert util < 0.9  # free hours exist, so a servable need is taken at once or soon
    if len(stays):
        assert (stays.how == "served").mean() > 0.9
        assert (stays.leave_day - stays.enter_day).max() < 60
