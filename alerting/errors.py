"""Alert-stage failures.

AlertingError
 ├── ChannelConfigError   a channel cannot be resolved (missing secret, invalid Apprise URL);
 │                        the message names the channel key, never the secret
 └── PolicyError          an alert policy refers to something that does not exist
"""


class AlertingError(Exception):
    """Base of the alert stage's errors; messages are one line and safe to print."""


class ChannelConfigError(AlertingError):
    """A channel could not be resolved; the message names its key."""


class PolicyError(AlertingError):
    """The alert policy is inconsistent with the configured channels or kinds."""
