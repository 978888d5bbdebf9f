"""The watch-floor picture: a live map of zones, tracks and alerts served to a browser.

``frame`` picks the longitude frame of the map (continuous across the antimeridian),
``symbols`` the MIL-STD-2525C symbol code of a track, ``wire`` reads the output topics'
records, ``state`` keeps the current picture (bounded, plain Python; ``views`` are its
per-track record and the JSON shapes the page gets, ``rate`` its points per second),
``health`` judges the
pipeline's health, ``hub`` fans the picture out to browsers, ``server`` is the aiohttp
application (page, snapshot, Server-Sent Events), ``feed`` follows the output topics and
``service`` runs them together. The page itself is built from ``web/`` into ``static/``.
"""
