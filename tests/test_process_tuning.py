"""Settings of the serving process that no answer shows but every answer pays for."""

import gc


def test_importing_the_app_freezes_what_it_built_and_raises_the_young_threshold():
    """A worker imports app.py once: what exists then is frozen out of the
    collector's sight and the youngest generation is scanned after 10,000 new
    objects, not 700 (web.tune_garbage_collection; ~4% of a worker's CPU)."""
    import app  # noqa: F401
    import web

    assert gc.get_threshold()[0] == web.YOUNG_GENERATION_THRESHOLD == 10_000
    # The whole app (Dash, pages, callbacks, plotly) and not a handful of objects.
    assert gc.get_freeze_count() > 100_000


def test_tuning_keeps_the_older_generations_thresholds():
    import web

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 11, 12)
        web.tune_garbage_collection()
        assert gc.get_threshold() == (web.YOUNG_GENERATION_THRESHOLD, 11, 12)
    finally:
        gc.set_threshold(*before)
