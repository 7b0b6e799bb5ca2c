from orderdesk.core.text import name_key

from .models import Locality, LocalityName


def locality_match(*, name: str, country: str | None = None) -> Locality | None:
    """Find a locality by any of its names (case, ё/е and spaces ignored)."""
    key = name_key(name)
    if not key:
        return None
    names = LocalityName.objects.filter(key=key).select_related("locality")
    if country:
        names = names.filter(locality__country=country)
    matches = {n.locality_id: n.locality for n in names}
    return next(iter(matches.values())) if len(matches) == 1 else None


class LocalityIndex:
    """All locality names in memory, for matching a batch of orders with one query."""

    def __init__(self) -> None:
        self._by_key: dict[str, list[Locality]] = {}
        localities = {loc.pk: loc for loc in Locality.objects.all()}
        for locality_id, key in LocalityName.objects.values_list("locality_id", "key"):
            self._by_key.setdefault(key, []).append(localities[locality_id])

    def match(self, name: str, country: str | None = None) -> Locality | None:
        candidates = self._by_key.get(name_key(name), [])
        if country:
            candidates = [c for c in candidates if c.country == country]
        return candidates[0] if len(candidates) == 1 else None
