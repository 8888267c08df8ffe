"""Whole-KB answer lookup: `mmret.relevant.AnswerIndex` against the naive per-passage regex loop.

A synthetic KB (default 1M passages of ~100 words, ViQuAE-style "<title> [SEP] text") and questions (default 10k) whose
answers have aliases (names and surnames, "1932" / "in 1932", "12,345" / "12345", accented / unaccented) planted in
passages with punctuation around them. Both methods work on the same normalised passages and must return identical
rows. The naive loop (one regex over every passage for every question) is timed on a subsample of questions and
extrapolated to all of them; this is stated in the output.

    python benchmarks/relevant.py                      # 1M passages x 10k questions, naive on 5 questions
    python benchmarks/relevant.py --passages 100000 --questions 1000
"""
import argparse, datetime, os, platform, re, time

import numpy as np
import psutil

from mmret.relevant import AnswerIndex, normalize_answers, normalize_passage


def make_vocab(rng, n):
    "Random lower-case words, some capitalised, some accented."
    chars = rng.integers(97, 123, size=(n, 10), dtype=np.uint8)
    lens = rng.integers(3, 11, size=n)
    words = sorted({bytes(c[:k]).decode() for c, k in zip(chars, lens)})
    accents = str.maketrans("aeiou", "áéíöü")
    return [w.translate(accents) if i % 50 == 0 else (w.capitalize() if i % 7 == 0 else w) for i, w in enumerate(words)]


def make_kb(rng, n_passages, n_words, vocab):
    "Passages: Zipf-distributed words, stop words, years, numbers, punctuation."
    stop = ["the", "of", "and", "in", "to", "a", "was", "is", "for", "on", "as", "by", "with", "he", "she", "it"]
    years = [str(y) for y in range(1000, 2025)]
    decorated = [w + "," for w in vocab[:2000]] + [w + "." for w in vocab[2000:4000]] + [f"({w})" for w in vocab[4000:5000]]
    words = np.array(stop + years + vocab + decorated + ["1,000", "12,000", "3.5"], dtype=object)
    ranks = np.arange(1, len(words) + 1)
    p = 1 / ranks ** 1.05; p /= p.sum()
    pool = rng.choice(len(words), size=1 << 22, p=p)  # Zipf draws, reused at random offsets (fast)
    out, chunk = [], 50_000
    for start in range(0, n_passages, chunk):
        m = min(chunk, n_passages - start)
        ids = pool[rng.integers(0, len(pool), size=(m, n_words))]
        lens = rng.integers(n_words // 2, n_words + 1, size=m)
        for j in range(m):
            i = start + j
            out.append(f"Title {i // 8} [SEP] " + " ".join(words[ids[j, :lens[j]]]))
    return out


def make_questions(rng, n_questions, vocab, n_passages):
    "Answers with aliases, each planted in a few random passages (raw form, with punctuation around)."
    qs, pick = [], lambda: vocab[rng.integers(len(vocab))]
    for q in range(n_questions):
        kind = q % 4
        if kind == 0:    # a person: full name, surname, "The ..." variants
            first, last = pick(), pick()
            answers = [f"{first.capitalize()} {last.capitalize()}", last.capitalize()]
        elif kind == 1:  # a year
            y = str(rng.integers(1000, 2025)); answers = [y, f"in {y}"]
        elif kind == 2:  # a number with a thousands separator
            n = int(rng.integers(1000, 999_999)); answers = [f"{n:,}", str(n)]
        else:            # a thing, with an accent-free alias
            w = pick(); answers = [f"the {w}", w.translate(str.maketrans("áéíöü", "aeiou"))]
        qs.append(answers)
    return qs


def plant(rng, passages, questions, max_planted=8):
    "Insert an answer or alias, decorated, at the end of a few random passages."
    decor = ["{} ,", "({})", "{}.", '"{}"', "{}"]
    for answers in questions:
        for i in rng.integers(0, len(passages), size=rng.integers(1, max_planted + 1)):
            a = answers[rng.integers(len(answers))]
            passages[i] = passages[i] + " " + decor[rng.integers(len(decor))].format(a)


def naive(texts, answers):
    "The naive loop: one word-boundary regex over every normalised passage."
    pat = re.compile(r"(?<!\S)(?:" + "|".join(re.escape(a.strip()) for a in normalize_answers(answers)) + r")(?!\S)")
    return [i for i, t in enumerate(texts) if pat.search(t)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passages", type=int, default=1_000_000)
    ap.add_argument("--questions", type=int, default=10_000)
    ap.add_argument("--words", type=int, default=100, help="maximum words per passage")
    ap.add_argument("--naive", type=int, default=5, help="questions timed with the naive loop")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; {datetime.date.today()}")

    t = time.perf_counter()
    vocab = make_vocab(rng, 100_000)
    passages = make_kb(rng, a.passages, a.words, vocab)
    questions = make_questions(rng, a.questions, vocab, a.passages)
    plant(rng, passages, questions)
    print(f"synthetic KB: {len(passages):,} passages, {sum(map(len, passages)) / len(passages):.0f} chars on average; "
          f"{len(questions):,} questions, {sum(map(len, questions)):,} answers+aliases (generated in {time.perf_counter() - t:.0f}s)")

    n_norm = min(len(passages), 100_000)
    t = time.perf_counter(); [normalize_passage(p) for p in passages[:n_norm]]
    t_norm = (time.perf_counter() - t) * len(passages) / n_norm
    print(f"normalisation alone: {t_norm:.1f}s for all passages (measured on {n_norm:,}, extrapolated)")

    t = time.perf_counter()
    index = AnswerIndex.build(passages, [x for q in questions for x in q], progress=False)
    t_build = time.perf_counter() - t
    t = time.perf_counter()
    found = [index.find(q) for q in questions]
    t_find = time.perf_counter() - t
    ours = t_build + t_find
    print(f"AnswerIndex: build {t_build:.1f}s (normalisation + postings for {len(index.postings):,} answer words), "
          f"find {t_find:.1f}s for {len(questions):,} questions -> {ours:.1f}s; "
          f"{sum(map(len, found)):,} (question, passage) matches; RSS {psutil.Process().memory_info().rss / 2**30:.1f} GiB")

    sub = rng.choice(len(questions), size=min(a.naive, len(questions)), replace=False)
    t = time.perf_counter()
    for q in sub:
        ref = naive(index.texts, questions[q])
        assert ref == found[q].tolist(), f"question {q} {questions[q]}: naive {len(ref)} rows, index {len(found[q])}"
    t_naive_q = (time.perf_counter() - t) / len(sub)
    naive_match = t_naive_q * len(questions)
    naive_total = t_norm + naive_match
    print(f"naive regex loop: {t_naive_q:.2f}s per question over {len(passages):,} passages, identical output on "
          f"{len(sub)} questions; extrapolated to {len(questions):,} questions: {naive_match / 3600:.1f}h matching "
          f"+ {t_norm:.0f}s normalisation = {naive_total / 3600:.1f}h")
    print(f"ratio (naive / AnswerIndex), end to end: {naive_total / ours:.0f}x; "
          f"matching only (naive loop vs postings + find): {naive_match / max(ours - t_norm, 1e-9):.0f}x")


if __name__ == "__main__":
    main()
