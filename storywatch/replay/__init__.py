"""The bundled offline replay: a small fixture news web served on 127.0.0.1.

``story.yaml`` (in ``site/``) lists every article of the replayed story with its
outlet, publication time and test labels; ``pages/`` holds the article HTML. The
:class:`~storywatch.replay.server.ReplayServer` generates each outlet's feed from
the manifest at request time and reveals only what was published by its clock.
"""

from storywatch.replay.story import SITE_DIR, STORY_FILE, Outlet, ReplayError, Story, StoryArticle, load_story

__all__ = ["SITE_DIR", "STORY_FILE", "Outlet", "ReplayError", "Story", "StoryArticle", "load_story"]
