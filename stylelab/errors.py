"""The one error type StyleLab raises for anything a user can fix."""


class StyleLabError(ValueError):
    """Bad input or an unusable setting, with a message written for the person who caused it."""


class UserFacingError(Exception):
    """A sentence for the person using the app; the UI shows it as it is."""
