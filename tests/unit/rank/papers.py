"""A small synthetic corpus for the recommender tests: three topics, words shared within a
topic, vectors from HashEmbedder (texts sharing words get close vectors)."""

import random

from papertide.index.embed import HashEmbedder
from papertide.rank.recommend import Candidate

TOPICS = {
    "graphs": "graph neural network molecules message passing node embeddings chemistry",
    "speech": "speech recognition audio acoustic waveform speaker transcription phonemes",
    "robots": "robot manipulation grasping policy locomotion control sim2real actuators",
}
FILLER = ("study", "method", "results", "propose", "experiments", "benchmark", "data", "analysis",
          "approach")  # fmt: skip
CATEGORIES = {"graphs": "cs.LG", "speech": "eess.AS", "robots": "cs.RO"}
AUTHORS = {"graphs": "Ada Graph", "speech": "Sam Sound", "robots": "Rob Arm"}
ORGS = {"graphs": "chem-lab", "speech": "sound-inc", "robots": "arm-works"}


def make_papers(per_topic: int = 20, seed: int = 1, dim: int = 64) -> list[Candidate]:
    """per_topic papers of each topic, ids like "graphs-03", in topic order."""
    rng = random.Random(seed)
    embedder = HashEmbedder(dim)
    texts: list[tuple[str, str]] = []
    for topic, vocabulary in TOPICS.items():
        words = vocabulary.split()
        for n in range(per_topic):
            chosen = rng.sample(words, 5) + rng.sample(FILLER, 4)
            rng.shuffle(chosen)
            texts.append((f"{topic}-{n:02d}", " ".join(chosen)))
    vectors = embedder.embed([text for _, text in texts])
    return [
        Candidate(
            paper_id,
            vectors[i],
            text,
            authors=(AUTHORS[topic_of(paper_id)], f"Someone {i}"),
            categories=(CATEGORIES[topic_of(paper_id)],),
            orgs=(ORGS[topic_of(paper_id)],),
        )
        for i, (paper_id, text) in enumerate(texts)
    ]


def topic_of(paper_id: str) -> str:
    return paper_id.split("-")[0]


def split_papers(papers: list[Candidate]) -> tuple[list[Candidate], list[Candidate]]:
    """(history, candidates): even-numbered papers of each topic, then odd-numbered ones."""
    history = [p for p in papers if int(p.paper_id.split("-")[1]) % 2 == 0]
    candidates = [p for p in papers if int(p.paper_id.split("-")[1]) % 2 == 1]
    return history, candidates
