"""The workshop viewer: the same families in two ways of working, side by side, live, offline.

A Solara app (``viewer/app.py``) that imports the model in ``sim``; the model
never imports the viewer. Start it with ``make viewer`` or
``python -m viewer [--host H] [--port P]``. Every asset the page needs is
served by the app itself once ``python -m viewer.assets`` has filled Solara's
asset cache (``make viewer-assets``).
"""
