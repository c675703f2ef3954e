"""The abuse detector (litso.triage.abuse) on public data (shared/data/abuse, next to the repo).

    .venv/bin/python bench/abuse_eval.py [--data PATH] [--language-hint]

``LITSO_SHARED_DATA`` overrides the shared data folder (the one holding ``abuse/`` and
``routing/``). Every labelled set is split by a hash of the text (ru_paradetox: of the toxic
sentence, so a sentence and its rewrites stay together) into a tuning half, the only half
looked at while writing the lexicons and weights, and a held-out half. Figures are reported
for the held-out half, the tuning half next to them for comparison.

Figures:
- ru_paradetox (RUSSE 2022 detox train set): toxic sentences are positives, their neutral
  rewrites (written by crowd workers) negatives. Precision, recall, F1, base rate.
- en_davidson (tweets, majority label of 3+ coders): hate speech (0) and offensive (1) are
  positives, neither (2) negatives. ~83 % positive: a detector flagging everything gets
  F1 ≈ 0.91, so balanced accuracy and the share of "neither" left alone are reported too.
- polite text, as the share of messages NOT flagged (on a set with no abuse, precision of
  the flag is 0 whenever anything is flagged; the target "precision ≥ 0.95 on polite text"
  is read as "at most 5 % of polite messages flagged"): Russian — the neutral rewrites of
  ru_paradetox; English — davidson's "neither" (polite-ish: tweets, some with slurs the
  coders did not count) and clinc150's in-scope requests (22,500, clearly polite, never
  used for tuning); Polish — there is no labelled polite set, so POLISH_POLITE below: 40
  support sentences written for this benchmark, a small self-written set.
- lexicon recall: the share of BAN-PL's Polish vulgar word forms (pl_vulgarisms) and of
  LDNOOBW's lists (en, pl, ru) flagged, each scored alone with its language. These lists
  were read while writing the lexicons (no split), and LDNOOBW is about what a search box
  should not suggest (much of it sexual vocabulary, "секс", "голый"), not about abuse.
- speed: messages per second and p50/p99 latency over all scored texts, first pass (the
  word cache cold) and second pass (warm); wall clock and CPU time, with the load average
  (on a shared machine the wall-clock tail is mostly other processes' time).

Targets (issue #5): F1 ≥ 0.90 per labelled set (held-out), ≥ 95 % of polite text not flagged.
``--language-hint`` passes each set's language to score_text (default: None, all three).
Writes bench/results/abuse_eval.json.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from _setup import percentiles, write_result
from litso.triage.abuse import score_text

SHARED = Path(
    os.environ.get("LITSO_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared/data"
)
TARGET_F1 = 0.90
TARGET_POLITE = 0.95
POLISH_POLITE = [
    "Dzień dobry, chciałbym zapytać o status mojego zamówienia.",
    "Uprzejmie proszę o wystawienie faktury VAT na firmę.",
    "Jestem bardzo rozczarowany, to już trzeci raz, kiedy piszę w tej sprawie.",
    "Czy mogę zmienić adres dostawy? Z góry dziękuję.",
    "Paczka dotarła uszkodzona, załączam zdjęcia. Proszę o informację, co dalej.",
    "Zamówiłam sukienkę w rozmiarze 38, a przyszła 40. Czy mogę ją wymienić?",
    "Gratuluję sukcesu nowej aplikacji, działa świetnie.",
    "Pracuję w hucie i potrzebuję dostawy na adres zakładu.",
    "Ruch na stronie jest dziś duży, strona ładuje się bardzo długo.",
    "Proszę o zwrot pieniędzy zgodnie z regulaminem sklepu.",
    "W przepisie brakuje informacji, ile pieprzu dodać do sosu.",
    "Niestety kurier nie zostawił awizo, a przesyłka wróciła do nadawcy.",
    "Czy macie w ofercie lody waniliowe bez laktozy?",
    "Sąd rejonowy wymaga zaświadczenia o zakupie, czy mogą Państwo je przesłać?",
    "Dziękuję za szybką odpowiedź, wszystko już działa.",
    "Proszę o kontakt telefoniczny po godzinie 16.",
    "Mam problem z logowaniem do konta, hasło nie działa.",
    "Czy mogę zapłacić przelewem zamiast kartą?",
    "Bardzo proszę o pilną odpowiedź, sprawa jest dla mnie ważna.",
    "Nie otrzymałem potwierdzenia rezerwacji na sobotę.",
    "Kupiłem suszarkę, ale przestała działać po tygodniu. Proszę o naprawę gwarancyjną.",
    "Zamawiałam już trzy razy i zawsze byłam zadowolona, tym razem coś poszło nie tak.",
    "Czy dostawa do Suwałk jest możliwa w tym tygodniu?",
    "Proszę anulować moje zamówienie numer 12345.",
    "Głupio mi pytać, ale nie wiem, jak zmienić hasło.",
    "Czy produkt zawiera orzechy? Mój syn ma alergię.",
    "Przesyłka utknęła w sortowni w Strykowie od pięciu dni.",
    "Faktura zawiera błędny NIP, proszę o korektę.",
    "Proszę o przesłanie instrukcji obsługi w języku polskim.",
    "Czy mogę odebrać zamówienie osobiście w Krakowie?",
    "Szanowni Państwo, od tygodnia nie mogę się do Państwa dodzwonić.",
    "Wasz konsultant był bardzo pomocny, dziękuję pani Kasi.",
    "Chciałbym zrezygnować z newslettera.",
    "Drukarka drukuje puste strony, co mogę zrobić?",
    "Kiedy będzie dostępny model w kolorze czarnym?",
    "Proszę o przedłużenie terminu płatności o tydzień.",
    "Czy mogę prosić o kod rabatowy, który obiecał konsultant?",
    "Bateria w telefonie szybko się rozładowuje, czy to wada fabryczna?",
    "Niestety muszę złożyć reklamację, produkt ma rysę na ekranie.",
    "Proszę pilnie o odpowiedź. Sprawa ciągnie się od miesiąca!!!",
]

Labelled = list[tuple[str, bool]]


def half(text: str) -> str:
    """Deterministic split: the tuning half is where the first byte of SHA-1 is even."""
    return "tune" if hashlib.sha1(text.encode()).digest()[0] % 2 == 0 else "held"  # noqa: S324


def load_paradetox(path: Path) -> dict[str, Labelled]:
    sets: dict[str, Labelled] = {"tune": [], "held": []}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t")
        next(rows)
        for row in rows:
            toxic, rewrites = row[1], [text for text in row[2:] if text.strip()]
            target = sets[half(toxic)]
            target.append((toxic, True))
            target.extend((text, False) for text in rewrites)
    return sets


def load_davidson(path: Path) -> dict[str, list[tuple[str, int]]]:
    sets: dict[str, list[tuple[str, int]]] = {"tune": [], "held": []}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            sets[half(row["tweet"])].append((row["tweet"], int(row["class"])))
    return sets


class Scorer:
    """score_text with the wall-clock and CPU time of every call kept."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.cpu_seconds: list[float] = []

    def flagged(self, texts: list[str], language: str | None) -> list[bool]:
        out = []
        for text in texts:
            started, cpu_started = time.perf_counter(), time.thread_time()
            verdict = score_text(text, language)
            self.cpu_seconds.append(time.thread_time() - cpu_started)
            self.seconds.append(time.perf_counter() - started)
            out.append(verdict.flagged)
        return out


def binary(labels: list[bool], flags: list[bool]) -> dict[str, Any]:
    tp = sum(1 for y, f in zip(labels, flags, strict=True) if y and f)
    fp = sum(1 for y, f in zip(labels, flags, strict=True) if not y and f)
    positives = sum(labels)
    negatives = len(labels) - positives
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / positives if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    specificity = 1 - fp / negatives if negatives else 0.0
    always = 2 * positives / (len(labels) + positives) if labels else 0.0
    return {
        "messages": len(labels),
        "base_rate": round(positives / len(labels), 4) if labels else 0.0,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "negatives_not_flagged": round(specificity, 4),
        "balanced_accuracy": round((recall + specificity) / 2, 4),
        "f1_of_flagging_everything": round(always, 4),
    }


def labelled_figures(data: Path, scorer: Scorer, hint: bool) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    paradetox = load_paradetox(data / "ru_paradetox" / "train.tsv")
    figures["ru_paradetox"] = {}
    for name, rows in paradetox.items():
        flags = scorer.flagged([text for text, _ in rows], "ru" if hint else None)
        figures["ru_paradetox"][name] = binary([label for _, label in rows], flags)
    davidson = load_davidson(data / "en_davidson" / "data" / "labeled_data.csv")
    figures["en_davidson"] = {}
    for name, tweets in davidson.items():
        flags = scorer.flagged([text for text, _ in tweets], "en" if hint else None)
        entry = binary([label in (0, 1) for _, label in tweets], flags)
        for label, word in ((0, "hate"), (1, "offensive")):
            picked = [f for (_, y), f in zip(tweets, flags, strict=True) if y == label]
            entry[f"recall_{word}"] = round(sum(picked) / len(picked), 4)
        figures["en_davidson"][name] = entry
    return figures


def polite_figures(data: Path, figures: dict[str, Any], scorer: Scorer, hint: bool) -> None:
    polite: dict[str, Any] = {}
    for name, entry in (("ru_paradetox_rewrites", "ru_paradetox"), ("en_davidson_neither",
                                                                   "en_davidson")):
        polite[name] = {
            part: figures[entry][part]["negatives_not_flagged"] for part in ("held", "tune")
        }
    clinc = SHARED / "routing" / "clinc150" / "data" / "data_full.json"
    if clinc.is_file():
        splits = json.loads(clinc.read_text(encoding="utf-8"))
        texts = [text for part in ("train", "val", "test") for text, _ in splits[part]]
        flags = scorer.flagged(texts, "en" if hint else None)
        polite["en_clinc150_in_scope"] = {
            "messages": len(texts),
            "not_flagged": round(1 - sum(flags) / len(texts), 4),
            "flagged_examples": [t for t, f in zip(texts, flags, strict=True) if f][:20],
        }
    flags = scorer.flagged(POLISH_POLITE, "pl" if hint else None)
    polite["pl_self_written"] = {
        "messages": len(POLISH_POLITE),
        "not_flagged": round(1 - sum(flags) / len(POLISH_POLITE), 4),
        "flagged_examples": [t for t, f in zip(POLISH_POLITE, flags, strict=True) if f],
    }
    figures["polite"] = polite


def lexicon_figures(data: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    lists = {"pl_vulgarisms": ("pl", data / "pl_vulgarisms" / "polish_vulgarisms_extended_2.0.txt")}
    for language in ("en", "pl", "ru"):
        lists[f"ldnoobw_{language}"] = (language, data / "lexicon_ldnoobw" / language)
    for name, (language, path) in lists.items():
        words = [w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip()]
        missed = [w for w in words if not score_text(w, language).flagged]
        figures[name] = {
            "words": len(words),
            "recall": round(1 - len(missed) / len(words), 4),
            "missed_examples": missed[:15],
        }
    return figures


def speed(scorer: Scorer) -> dict[str, float]:
    """Wall-clock figures include the time other processes hold the CPU (this machine's load
    average is recorded next to them); CPU-time figures are the detector's own work."""
    wall, cpu = percentiles(scorer.seconds), percentiles(scorer.cpu_seconds)
    return {
        "messages": len(scorer.seconds),
        "messages_per_second": round(len(scorer.seconds) / sum(scorer.seconds)),
        "p50_ms": round(wall["p50"] * 1000, 4),
        "p99_ms": round(wall["p99"] * 1000, 4),
        "max_ms": round(wall["max"] * 1000, 3),
        "cpu_p50_ms": round(cpu["p50"] * 1000, 4),
        "cpu_p99_ms": round(cpu["p99"] * 1000, 4),
        "cpu_max_ms": round(cpu["max"] * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=SHARED / "abuse")
    parser.add_argument("--language-hint", action="store_true")
    args = parser.parse_args()
    data: Path = args.data
    if not data.is_dir():
        print(f"abuse_eval: skipped, no data at {data}")
        return
    started = time.perf_counter()
    cold = Scorer()
    figures: dict[str, Any] = {"data": str(data), "language_hint": args.language_hint}
    figures.update(labelled_figures(data, cold, args.language_hint))
    polite_figures(data, figures, cold, args.language_hint)
    warm = Scorer()
    labelled_figures(data, warm, args.language_hint)
    figures["lexicons"] = lexicon_figures(data)
    figures["speed"] = {
        "first_pass": speed(cold),
        "second_pass": speed(warm),
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
    }
    figures["seconds"] = round(time.perf_counter() - started, 1)
    _print(figures)
    print(f"wrote {write_result('abuse_eval', figures)}")


def _print(figures: dict[str, Any]) -> None:
    for name in ("ru_paradetox", "en_davidson"):
        for part in ("held", "tune"):
            f = figures[name][part]
            extra = ""
            if name == "en_davidson":
                extra = f", recall hate {f['recall_hate']}, offensive {f['recall_offensive']}"
            verdict = "meets" if f["f1"] >= TARGET_F1 else "MISSES"
            print(
                f"{name} {part}: P {f['precision']} R {f['recall']} F1 {f['f1']} "
                f"({verdict} {TARGET_F1} target; base rate {f['base_rate']}, flag-everything "
                f"F1 {f['f1_of_flagging_everything']}, balanced accuracy "
                f"{f['balanced_accuracy']}, negatives left alone {f['negatives_not_flagged']}"
                f"{extra}; {f['messages']} messages)"
            )
    for name, entry in figures["polite"].items():
        share = entry.get("not_flagged", entry.get("held"))
        verdict = "meets" if share >= TARGET_POLITE else "MISSES"
        print(f"polite {name}: not flagged {share} ({verdict} {TARGET_POLITE}) {entry}")
    for name, entry in figures["lexicons"].items():
        print(f"lexicon {name}: recall {entry['recall']} of {entry['words']}")
    for name in ("first_pass", "second_pass"):
        entry = figures["speed"][name]
        print(
            f"speed {name}: {entry['messages_per_second']} messages/s, wall p50 "
            f"{entry['p50_ms']} ms p99 {entry['p99_ms']} ms max {entry['max_ms']} ms; CPU p50 "
            f"{entry['cpu_p50_ms']} ms p99 {entry['cpu_p99_ms']} ms max {entry['cpu_max_ms']} ms"
            f" ({entry['messages']} messages)"
        )
    print(f"load average {figures['speed']['load_average']} on {figures['speed']['cpus']} CPUs")
    print(f"({figures['seconds']} s)")


if __name__ == "__main__":
    main()
