"""``manage.py moderation train|eval|report``: the scanners' training, measurement and audit.

manage.py moderation train [--datasets DIR] [script options]
manage.py moderation train-spans [--datasets DIR] [--no-save]
manage.py moderation eval --task abuse --dataset fox_news.csv --split test [--json]
manage.py moderation eval --task relevance --dataset fox_news.csv
manage.py moderation eval --leave-one-out [--recipe v2] [--datasets DIR]
manage.py moderation eval --functional [--cases FILE]
manage.py moderation eval --spans [--datasets DIR]
manage.py moderation eval --identity-gap [--datasets DIR]
manage.py moderation eval --slip [--datasets DIR]
manage.py moderation report
"""

from __future__ import annotations

import json
import math
from argparse import _SubParsersAction
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from broadsheet.moderation.ml.data import SPLITS, DatasetError, read_dataset, split_of

PROJECT_ROOT = Path(__file__).resolve().parents[5]
SPECIAL_EVALS = ("leave_one_out", "functional", "spans", "identity_gap", "slip")
HEADLINE_KEYS = (
    "abuse_roc_auc",
    "relevance_roc_auc",
    "auto_published_share",
    "auto_slip_rate",
    "comments_per_second",
)


def _clean(value):
    """JSON has no NaN; an undefined AUC (one class only) becomes null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _add_train_arguments(sub: _SubParsersAction) -> None:
    # Django's subparsers need the command's own parser class to report errors properly.
    train = sub.add_parser("train", help="train the abuse model (needs scikit-learn)")
    train.add_argument("--datasets", default=None, help="folder of <name>/<name>.csv sets")
    # The training script's own options, passed through (see scripts/train_abuse.py).
    train.add_argument("--C", nargs="+", default=None, help="regularisation (the last wins)")
    train.add_argument("--recipe", choices=["v1", "v2", "v3", "v4", "v5", "v6"], default=None,
                       help="training recipe (default v4, the shipped one; see "
                       "docs/moderation.md)")
    train.add_argument("--slip-target", default=None,
                       help="auto mode: highest share of abusive among published (0.01)")
    train.add_argument("--boost", nargs="*", default=None, metavar="NAME=X")
    train.add_argument("--buckets", default=None, help="hash buckets (power of two)")
    train.add_argument("--out", default=None, help="where to write the model")
    train.add_argument("--fusion-weight", default=None,
                       help="weight of the pretrained model's logit (0: not fused)")
    train.add_argument(
        "--with", dest="extra", nargs="+", default=None, metavar="CSV",
        help="more labelled CSVs to train on, e.g. the desk's (see export-labels)",
    )
    train.add_argument("--no-save", action="store_true", help="report only, write nothing")
    spans = sub.add_parser(
        "train-spans", help="train the span tagger on civil_toxic_spans (needs scikit-learn)"
    )
    spans.add_argument("--datasets", default=None, help="folder holding civil_toxic_spans/")
    spans.add_argument("--out", default=None, help="where to write the tagger")
    spans.add_argument("--no-save", action="store_true", help="report only, write nothing")


def _add_eval_arguments(sub: _SubParsersAction) -> None:
    ev = sub.add_parser("eval", help="measure a scanner on a CSV with text,label columns")
    ev.add_argument("--task", choices=["abuse", "relevance"], default="abuse")
    ev.add_argument(
        "--dataset",
        default=None,
        help="CSV with a header: text,label[,article_title,article_summary][,parent_text]; "
        "label 1/0, true/false or a 0-1 share (1 = breaks the policy)",
    )
    ev.add_argument(
        "--split",
        choices=[*SPLITS, "all"],
        default="all",
        help="rows of the hash split to use (default: every row of the file)",
    )
    ev.add_argument("--json", action="store_true", help="print one JSON object only")
    ev.add_argument(
        "--leave-one-out", action="store_true",
        help="abuse: train without each shared set in turn and measure it (needs the dev "
        "extras; minutes per set)",
    )
    ev.add_argument(
        "--recipe", choices=["v1", "v2", "v3", "v4", "v5", "v6"], default=None,
        help="with --leave-one-out: the training recipe (default v4, the shipped one)",
    )
    ev.add_argument(
        "--sets", nargs="+", default=None, metavar="NAME",
        help="with --leave-one-out: only these sets are left out in turn",
    )
    ev.add_argument(
        "--functional", action="store_true",
        help="abuse: pass rate per category of the functional cases",
    )
    ev.add_argument("--cases", default=None, help="with --functional: another cases file")
    ev.add_argument(
        "--spans", action="store_true",
        help="abuse: character F1 of the highlighted words on civil_toxic_spans (test split)",
    )
    ev.add_argument(
        "--identity-gap", action="store_true",
        help="abuse: held share of non-abusive wiki_toxicity_idterm comments with and "
        "without an identity term",
    )
    ev.add_argument(
        "--slip", action="store_true",
        help="abuse: auto mode on each news set at the shipped hold threshold (share published, "
        "abusive among them) and the hold that set would need for the slip target",
    )
    ev.add_argument(
        "--datasets", default=None,
        help="folder of the shared <name>/<name>.csv sets (default: ../shared/datasets "
        "next to the project)",
    )
    ev.add_argument(
        "--file-labels",
        action="store_true",
        help="relevance: score each row against its own article and measure against the "
        "file's label (1 = off-topic) instead of pairing each comment with another article",
    )


def _rows_to_measure(options: dict[str, Any]) -> tuple[Path, list[dict], list[dict], list[str]]:
    """The dataset's file, every row of it with a text (the pool readers' discussions come
    from), the rows of the split to measure, and the notes on what was left out."""
    from broadsheet.moderation.ml import evaluate

    if not options["dataset"]:
        raise CommandError(
            "give --dataset FILE, or one of --leave-one-out, --functional, --spans, "
            "--identity-gap, --slip"
        )
    path = Path(options["dataset"])
    if not path.is_file():
        raise CommandError(f"no such file: {path}")
    split = options["split"]
    try:
        dataset = read_dataset(path)
    except DatasetError as exc:
        raise CommandError(str(exc)) from None
    notes: list[str] = list(dataset.notes)
    # Every row of the file, in its order: what readers had already said under each
    # article when a comment came (relevance), whatever split is measured.
    pool, dropped = evaluate.rows_with_text(dataset.rows)
    notes += dropped
    rows = pool if split == "all" else [r for r in pool if split_of(r["text"]) == split]
    if not rows:
        raise CommandError(f"{path} has no rows with a text in split {split!r}")
    task = options["task"]
    if task == "abuse" or options["file_labels"]:
        if not any("label" in r for r in rows):
            raise CommandError(
                f"{path} has no label column: {task} evaluation needs text,label "
                "(label 1 = breaks the policy, 0 = fine)"
            )
        try:
            rows, label_notes = evaluate.labelled(rows)
        except DatasetError as exc:
            raise CommandError(f"{path}, {exc}") from None
        notes += label_notes
        if not rows:
            raise CommandError(f"{path} has no labelled rows in split {split!r}")
    return path, pool, rows, notes


class Command(BaseCommand):
    help = "Train the abuse model, evaluate the scanners on a labelled CSV, or print reports."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        _add_train_arguments(sub)
        _add_eval_arguments(sub)
        export = sub.add_parser(
            "export-labels",
            help="write the moderators' decisions as a labelled CSV for eval and train --with",
        )
        export.add_argument("--task", choices=["abuse", "relevance"], default="abuse")
        export.add_argument(
            "--out", default=None,
            help="CSV to write (default: var/labels/desk_<task>.csv in the data folder)",
        )

        sub.add_parser("report", help="agreement between the scanners and the moderators")
        sub.add_parser("sweep", help="scan pending comments whose scan failed or was lost")

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "train":
            self._train(options)
        elif action == "train-spans":
            self._train_spans(options)
        elif action == "eval":
            self._eval(options)
        elif action == "export-labels":
            self._export_labels(options)
        elif action == "report":
            from broadsheet.moderation.reporting import print_agreement_report

            print_agreement_report(self.stdout)
        elif action == "sweep":
            from broadsheet.moderation.pipeline import comments_needing_scan, sweep

            waiting = len(comments_needing_scan(limit=100_000))
            self.stdout.write(f"{waiting} comments need a scan")
            done = sweep()
            self.stdout.write(f"Scanned {done} comments.")

    def _export_labels(self, options) -> None:
        from django.conf import settings

        from broadsheet.moderation.labels import export_labels

        task = options["task"]
        out = Path(options["out"] or settings.DATA_DIR / "labels" / f"desk_{task}.csv")
        try:
            summary = export_labels(out, task)
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc.strerror}") from None
        self.stdout.write(
            f"Wrote {summary.rows} labelled comments to {out} "
            f"({summary.written[1]} labelled 1, broke the policy; {summary.written[0]} "
            "labelled 0, approved)."
        )
        for why, count in summary.left_out.most_common():
            self.stdout.write(f"  left out {count}: {why}")
        if summary.rows:
            self.stdout.write(
                f"Measure the scanner on them: broadsheet moderation eval --task {task} "
                f"--dataset {out}" + (" --file-labels" if task == "relevance" else "")
            )
            if task == "abuse":
                self.stdout.write(f"Train with them: broadsheet moderation train --with {out}")
        else:
            self.stdout.write("No human decisions to export yet.")

    def _train(self, options) -> None:
        from broadsheet.moderation.management.abuse_reports import datasets_dir
        from broadsheet.moderation.ml import shipping

        argv: list[str] = []
        try:
            argv += ["--datasets", str(datasets_dir(options.get("datasets"), PROJECT_ROOT))]
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for name in ("buckets", "out", "recipe", "slip_target"):
            if options.get(name):
                argv += [f"--{name.replace('_', '-')}", str(options[name])]
        if options.get("fusion_weight") is not None:
            argv += ["--fusion-weight", str(options["fusion_weight"])]
        if options.get("C"):
            argv += ["--C", str(options["C"][-1])]
        if options.get("boost"):
            argv += ["--boost", *options["boost"]]
        if options.get("extra"):
            argv += ["--with", *options["extra"]]
        if options.get("no_save"):
            argv.append("--no-save")
        _run_trainer(shipping.main, argv)

    def _train_spans(self, options) -> None:
        from broadsheet.moderation.management.abuse_reports import datasets_dir
        from broadsheet.moderation.ml import span_training

        try:
            argv = ["--datasets", str(datasets_dir(options.get("datasets"), PROJECT_ROOT))]
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if options.get("out"):
            argv += ["--out", str(options["out"])]
        if options.get("no_save"):
            argv.append("--no-save")
        _run_trainer(span_training.main, argv)

    def _eval(self, options) -> None:
        from broadsheet.moderation.ml import evaluate

        special = [k for k in SPECIAL_EVALS if options.get(k)]
        if special:
            from broadsheet.moderation.management.abuse_reports import run_reports

            try:
                run_reports(special, options, self.stdout, self.stderr, PROJECT_ROOT)
            except (OSError, ValueError) as exc:
                raise CommandError(str(exc)) from None
            except ImportError as exc:
                raise CommandError(
                    f"this measurement trains models and needs scikit-learn and scipy ({exc}); "
                    "install the dev extras"
                ) from None
            return
        path, pool, rows, notes = _rows_to_measure(options)
        split, task = options["split"], options["task"]
        as_json = options["json"]
        progress = None if as_json else self.stderr
        report: dict = {"dataset": str(path), "split": split, "rows": len(rows), "task": task}

        if task == "abuse":
            if not as_json:
                self.stdout.write(f"Scanning {len(rows)} comments from {path} ...")
            result = evaluate.evaluate_abuse(rows, progress=progress, pool=pool)
            notes += result.pop("notes", [])
            report.update(result)
            if evaluate.has_article_context(rows):
                rel = evaluate.evaluate_relevance(rows, pool)
                notes += rel.pop("notes", [])
                report.update(rel)
        else:
            if not evaluate.has_context(rows):
                raise CommandError(
                    "relevance evaluation needs an article_title (with article_summary) "
                    "or a parent_text column"
                )
            if options["file_labels"]:
                rel = evaluate.evaluate_relevance_on_file_labels(rows, pool)
            else:
                rel = evaluate.evaluate_relevance(rows, pool)
            notes += rel.pop("notes", [])
            report.update(rel)
        # The headline keys are always there, null where this task or file cannot give them,
        # so a script reading the JSON needs no special cases.
        for key in HEADLINE_KEYS:
            report.setdefault(key, None)
        if report["comments_per_second"] is None:  # relevance only: its own scoring rate
            report["comments_per_second"] = report.get("relevance_rows_per_second") or report.get(
                "relevance_pairs_per_second"
            )
        report["notes"] = notes

        if as_json:
            self.stdout.write(json.dumps(_clean(report), sort_keys=True))
            return
        self._print(report)

    def _print(self, r: dict) -> None:
        w = self.stdout.write

        def fmt(v: float | None) -> str:
            undefined = v is None or (isinstance(v, float) and math.isnan(v))
            return "n/a" if undefined else f"{v:.4f}"

        w("")
        w(f"Dataset {r['dataset']} (split {r['split']}): {r['rows']} rows")
        if r["task"] == "abuse":
            w(f"  abusive rows:                 {r['positives']}")
            w(f"  abuse ROC AUC:                {fmt(r['abuse_roc_auc'])}")
            if "alt_profanity_check_roc_auc" in r:
                w(f"  alt-profanity-check ROC AUC:  {fmt(r['alt_profanity_check_roc_auc'])}")
            else:
                w("  alt-profanity-check:          not installed, no baseline")
            for level in ("hold", "reject"):
                m = r.get(f"abuse_at_{level}")
                if m:
                    w(
                        f"  at {level} >= {m['threshold']:.2f}: precision {m['precision']:.3f}  "
                        f"recall {m['recall']:.3f}  F1 {m['f1']:.3f}  ({m['flagged']} flagged)"
                    )
            w(
                f"  whole scan:                   {r['comments_per_second']:.0f} comments/s "
                f"(abuse model alone {r['abuse_comments_per_second']:.0f}/s)"
            )
            w(f"  auto mode ({', '.join(r['scanners_in_auto_mode'])}):")
            w(
                f"    published without a human:  {r['auto_published_share']:.1%} "
                f"({r['auto_published']} of {r['rows']})"
            )
            w(f"    abusive among published:    {r['auto_slip_rate']:.2%}")
        if "relevance_measure" in r or r.get("relevance_roc_auc") is not None:
            w(
                f"  relevance ROC AUC:            {fmt(r['relevance_roc_auc'])}"
                + (f" over {r['relevance_pairs']} pairs" if r.get("relevance_pairs") else "")
                + (f" over {r['relevance_rows']} rows" if r.get("relevance_rows") else "")
            )
            if r.get("relevance_measure"):
                w(f"    measured as:                {r['relevance_measure']}")
        for note in r.get("notes", []):
            w(f"  note: {note}")


def _run_trainer(main: Callable[[list[str]], object], argv: list[str]) -> None:
    """Run a training script's MAIN with ARGV, its refusals as command errors."""
    try:
        main(argv)
    except SystemExit as exc:
        # The trainer's own refusals (a missing file, a set without labels) are messages.
        if isinstance(exc.code, str):
            raise CommandError(exc.code) from None
        raise
    except ImportError as exc:
        raise CommandError(
            f"training needs scikit-learn and scipy ({exc}); install the dev extras"
        ) from exc
