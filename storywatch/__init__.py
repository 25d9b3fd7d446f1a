"""storywatch: track a developing news story and alert on what is genuinely new."""

__version__ = "0.1.0"
