from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed names after collectstatic; the plain name before it (tests, a fresh checkout).

    WhiteNoise serves the plain names from the finders (WHITENOISE_USE_FINDERS), so a page rendered
    before collectstatic still gets its CSS instead of a 500.
    """

    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:
            return name
