"""Reading the Prometheus text format the way Prometheus does (prometheus_client's parser),
so a test asserts on what a scrape would see."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client.parser import text_string_to_metric_families

TOKEN = "metrics-token-for-the-tests-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@dataclass(frozen=True)
class Scrape:
    """Every sample of one scrape: (name, sorted labels) -> value."""

    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float]

    @classmethod
    def parse(cls, text: str) -> Scrape:
        samples = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return cls(samples)

    def value(self, name: str, **labels: str) -> float:
        """The sample's value; 0 when the scrape has no such sample (a counter never moved)."""
        return self.samples.get((name, tuple(sorted(labels.items()))), 0.0)

    def names(self) -> set[str]:
        return {name for name, _ in self.samples}

    def moved(self, before: Scrape, name: str, **labels: str) -> float:
        """How much the sample moved since ``before``."""
        return self.value(name, **labels) - before.value(name, **labels)


def scrape(client) -> Scrape:
    """GET /metrics with the test token through a Flask test client."""
    response = client.get("/metrics", headers=BEARER)
    assert response.status_code == 200, response.get_data(as_text=True)
    return Scrape.parse(response.get_data(as_text=True))
