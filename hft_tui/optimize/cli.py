"""``hft-tui optimize run|show|apply``: arguments, one-line errors, the progress lines and the
ranked table. The study loop is ``study_runner``; where studies live, ``study_store``."""

from __future__ import annotations

import argparse
import logging
import sys
import tomllib
import warnings
from pathlib import Path
from typing import Any

from rich.console import Console

from hft_tui import exit_codes
from hft_tui.backtest.data_options import DataOptionError, add_data_arguments, load_run_settings, resolve_data
from hft_tui.backtest.executor import ExecutorUnavailable
from hft_tui.backtest.executor_options import add_executor_arguments, executor_from_args
from hft_tui.backtest.result_table import ResultTable
from hft_tui.backtest.runs_progress import BestSoFar, RunsProgress
from hft_tui.backtest.saved_runs_cli import save_run
from hft_tui.config.cli import print_config_error
from hft_tui.config.loader import ConfigError
from hft_tui.config.paths import AppPaths
from hft_tui.config.settings import Settings
from hft_tui.config.toml_render import render_toml

EXIT_CONFIG_ERROR = 2
DEFAULT_STUDY = "default"


def add_optimize_parser(subparsers: Any) -> None:
    """Add ``optimize`` and its ``run``, ``show`` and ``apply`` commands."""
    optimize = subparsers.add_parser(
        "optimize", help="search settings with Optuna: run a study, show its trials, apply one",
        description="Optuna studies over any settings, kept in a database so they resume and so "
                    "workers on several hosts share them. See docs/research.md.")
    commands = optimize.add_subparsers(dest="optimize_command", metavar="{run,show,apply}", required=True)

    run = commands.add_parser("run", help="run trials of a study (creating it, or resuming it)",
                              description="Backtest suggested settings trial after trial and record each in the study.")
    add_data_arguments(run)
    run.add_argument("--param", action="append", default=[], metavar="KEY[=LO..HI[:STEP|:log]|=A,B,...]",
                     help="a setting to search (repeat); its range defaults to the setting's own bounds")
    run.add_argument("--space", type=Path, metavar="FILE",
                     help="a TOML search space: [params.\"KEY\"] tables of low, high, step, log or choices")
    run.add_argument("--objective", default="sharpe", metavar="METRIC[,METRIC]",
                     help="what to optimise, in sample: sharpe, sortino, return, max_drawdown, profit_factor, "
                          "expectancy, win_rate, trades, or a report figure with a direction (trades.avg_win:max); "
                          "several make a Pareto front (default %(default)s)")
    run.add_argument("--sampler", default="tpe", help="tpe (default), random or grid")
    run.add_argument("--sampler-seed", type=int, metavar="N", help="seed of the sampler (same seed, same trials)")
    run.add_argument("--trials", type=int, metavar="N", help="trials this process runs (default 50 without --until)")
    run.add_argument("--until", type=int, metavar="N", help="stop when the study holds N trials (all workers)")
    run.add_argument("--batch", type=int, default=8, metavar="N",
                     help="trials asked of the sampler at a time; with a seed, the batch (not the executor) "
                          "decides the suggestions (default %(default)s)")
    run.add_argument("--split", type=float, default=0.7, metavar="FRACTION",
                     help="in-sample share of each walk-forward fold (default %(default)s)")
    run.add_argument("--walk-forward", type=int, default=1, metavar="N",
                     help="rolling folds: N in-sample windows each followed by its out-of-sample window "
                          "(default %(default)s: one split)")
    run.add_argument("--no-prune", action="store_true",
                     help="run every fold of every trial (default: stop a trial below the median at a fold)")
    _add_study_arguments(run)
    add_executor_arguments(run)
    run.set_defaults(handler=run_optimize_command)

    show = commands.add_parser("show", help="rank a study's trials")
    _add_study_arguments(show)
    show.add_argument("--top", type=int, default=20, metavar="N", help="rows to show (default %(default)s)")
    show.add_argument("--json", action="store_true", help="every trial as JSON instead of the table")
    show.set_defaults(handler=run_optimize_command)

    apply = commands.add_parser("apply", help="write a trial's settings to a TOML file (validated)")
    _add_study_arguments(apply)
    apply.add_argument("--trial", type=int, metavar="N", help="trial number (default: the best)")
    apply.add_argument("--out", type=Path, required=True, metavar="FILE", help="the settings file to write")
    apply.add_argument("--force", action="store_true", help="replace FILE if it exists")
    apply.set_defaults(handler=run_optimize_command)


def _add_study_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--study", default=DEFAULT_STUDY, metavar="NAME", help="study name (default %(default)s)")
    parser.add_argument("--storage", metavar="URL",
                        help="SQLAlchemy URL of the study database, e.g. postgresql://host/db "
                             "(default: sqlite in the state dir)")


def run_optimize_command(args: argparse.Namespace) -> int:
    """``hft-tui optimize run|show|apply``."""
    from hft_tui.optimize.apply_trial import ApplyError
    from hft_tui.optimize.search_space import SearchSpaceError
    from hft_tui.optimize.study_store import StudyError

    _quiet_optuna()
    try:
        if args.optimize_command == "run":
            return _run(args)
        if args.optimize_command == "show":
            return _show(args)
        return _apply(args)
    except DataOptionError as exc:
        if exc.message:
            print(f"hft-tui: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except ConfigError as exc:
        print_config_error(exc)
        return EXIT_CONFIG_ERROR
    except (SearchSpaceError, StudyError, ApplyError, ExecutorUnavailable, ValueError) as exc:
        print(f"hft-tui: {exc}", file=sys.stderr)
        return EXIT_CONFIG_ERROR


def _quiet_optuna() -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    optuna.logging.disable_propagation()
    logging.getLogger("optuna").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    # Ask/tell with heartbeats is what we do on purpose (study_runner says why).
    warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used with Study.optimize")


def _storage_url(args: argparse.Namespace, settings: Settings) -> str:
    from hft_tui.optimize.study_store import default_storage_url

    return args.storage or default_storage_url(AppPaths.resolve(settings).state_dir)


def _run(args: argparse.Namespace) -> int:
    from hft_tui.backtest.vectorised_candles import fast_path_blocker
    from hft_tui.backtest.walk_forward import rolling_folds
    from hft_tui.optimize.apply_trial import trial_settings
    from hft_tui.optimize.heartbeat import Heartbeat
    from hft_tui.optimize.objectives import parse_objectives
    from hft_tui.optimize.samplers import make_pruner, make_sampler
    from hft_tui.optimize.search_space import load_space_file, merge_space, parse_param
    from hft_tui.optimize.study_runner import StudyPlan, run_study
    from hft_tui.optimize.study_store import open_storage, open_study, shown_url

    for name in ("trials", "until", "batch"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ValueError(f"--{name} must be at least 1, got {value}")
    trials = args.trials if args.trials is not None or args.until is not None else 50
    space = merge_space(load_space_file(args.space) if args.space else [], [parse_param(p) for p in args.param])
    if not space:
        raise ValueError("nothing to search: give --param KEY (repeat) or --space FILE")
    data = resolve_data(args, varied=(p.key for p in space))
    objectives = parse_objectives(args.objective)
    folds = rolling_folds(data.start_ns, data.end_ns, args.walk_forward, args.split)
    base = _base_settings(data.settings)

    def settings_for(params: dict[str, Any]) -> Settings:
        settings = trial_settings(base, params)
        blocker = fast_path_blocker(settings) if args.vectorised else None
        if blocker is not None:
            raise ValueError(f"--vectorised cannot run it: {blocker}")
        return settings

    definition = {
        "params": [p.describe() for p in space],
        "objectives": [o.name for o in objectives],
        "folds": [[f.in_sample.start_ts_ns, f.in_sample.end_ts_ns, f.out_of_sample.end_ts_ns] for f in folds],
        "data": [data.spec.kind, data.spec.exchange, list(data.spec.symbols), data.spec.timeframe,
                 data.spec.duration_s],
        "vectorised": bool(args.vectorised),
        "base": base,
    }
    url = _storage_url(args, data.settings)
    storage = open_storage(url)
    prune = not args.no_prune and len(folds) > 1 and len(objectives) == 1
    sampler = make_sampler(args.sampler, args.sampler_seed, space, 0)
    study = open_study(storage, args.study, [o.direction for o in objectives], definition, sampler,
                       make_pruner(prune))
    study.sampler = make_sampler(args.sampler, args.sampler_seed, space, len(study.get_trials(deepcopy=False)))
    executor = executor_from_args(args, data.spec)
    plan = StudyPlan(space, objectives, folds, data.spec, settings_for, args.vectorised, prune)
    console = Console(stderr=True)
    console.print(f"[dim]study {args.study!r} in {shown_url(url)}: {len(space)} parameters, "
                  f"{' + '.join(o.name for o in objectives)} in sample over {len(folds)} fold(s), "
                  f"{args.sampler} sampler, on {executor.description}[/]")

    best = BestSoFar(objectives[0].name, objectives[0].maximise) if len(objectives) == 1 else None
    told = 0

    def on_trial(trial: Any) -> None:
        nonlocal told
        values = ", ".join(f"{o.name} {v:.4g}" for o, v in zip(objectives, trial.values or (), strict=False))
        note = trial.user_attrs.get("error", "")
        progress.print(f"trial {trial.number}: {trial.state.name.lower()}"
                       + (f" ({values})" if values else "") + (f" - {note}" if note else ""))
        told += 1
        if best is not None and trial.values and trial.state.name == "COMPLETE":
            best.offer(trial.values[0], f"trial {trial.number}")
        progress.advance(told, best.text if best is not None else "")

    heartbeat = Heartbeat(storage)
    try:
        # With --until the trials this process runs depend on the other workers: no total.
        with RunsProgress(f"study {args.study}", "trials", trials if args.until is None else None) as progress:
            tally = run_study(study, plan, executor, heartbeat, trials=trials, until=args.until,
                              batch=args.batch, on_trial=on_trial)
    finally:
        heartbeat.stop()
        executor.close()
    held = len(study.get_trials(deepcopy=False))
    summary = (f"study {args.study!r}: {tally.complete} complete, {tally.pruned} pruned, {tally.failed} failed here"
               f"{f', {tally.reclaimed} abandoned trial(s) queued again' if tally.reclaimed else ''}; "
               f"the study holds {held} trials")
    if tally.grid_exhausted:
        summary += "; the grid is exhausted"
    console.print(summary + f". Ranked: hft-tui optimize show --study {args.study}")
    _save_study(args, data.settings, study, definition, data.spec.describe(data.settings), tally.interrupted)
    if tally.interrupted:
        print("hft-tui optimize: interrupted; finished trials are kept and the running ones are queued "
              "to run first next time", file=sys.stderr)
        return exit_codes.INTERRUPTED
    return exit_codes.OK


def _base_settings(settings: Settings) -> dict[str, Any]:
    """The settings a study runs on, as the tables of their non-default keys (paths left out:
    they differ between hosts and no backtest reads them)."""
    tables = tomllib.loads(render_toml(settings, only_set=True))
    tables.pop("paths", None)
    return tables


def _open_existing(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    from hft_tui.optimize.study_store import definition_of, load_study, open_storage

    settings = load_run_settings(args)
    if settings is None:
        raise DataOptionError("", EXIT_CONFIG_ERROR)
    study = load_study(open_storage(_storage_url(args, settings)), args.study)
    return study, definition_of(study)


def _show(args: argparse.Namespace) -> int:
    import orjson

    from hft_tui.optimize.trial_ranking import rank_study

    study, definition = _open_existing(args)
    objectives = definition.get("objectives") or [f"value {i}" for i in range(len(study.directions))]
    ranking = rank_study(study, objectives)
    if args.json:
        doc = [{"number": t.number, "state": t.state, "params": t.params, "in_sample": t.in_sample,
                "out_of_sample": t.out_of_sample, "pareto_front": t.on_front, "note": t.note}
               for t in ranking.trials]
        sys.stdout.buffer.write(orjson.dumps({"study": args.study, "objectives": objectives, "trials": doc,
                                              "warnings": ranking.warnings}, option=orjson.OPT_INDENT_2) + b"\n")
        return exit_codes.OK
    _study_table(args.study, ranking, definition, args.top).render(Console())
    return exit_codes.OK


def _study_table(name: str, ranking: Any, definition: dict[str, Any], top: int) -> ResultTable:
    """``optimize show``'s table of the ``top`` ranked trials, and its notes."""
    objectives = ranking.objectives
    keys = [p.split("=", 1)[0] for p in definition.get("params", [])] or \
        sorted({k for t in ranking.trials for k in t.params})
    several = len(objectives) > 1
    title = (f"study {name!r}: {len(ranking.trials)} trials ranked by in-sample {objectives[0]}"
             + ("; * on the Pareto front" if several else ""))
    # Parameters are headed p1, p2... and named in full under the table: a header of its own
    # name was cut to ``trend.stro…`` at usual terminal widths.
    columns = ["#", "state", *(f"p{i}" for i in range(1, len(keys) + 1)),
               *(f"{side} {objective}" for objective in objectives for side in ("IS", "OOS")),
               "IS return %", "OOS return %", "IS trades", "OOS trades", "note"]
    rows = [[f"{trial.number}{'*' if trial.on_front else ''}", trial.state.lower(),
             *(_fmt(trial.params.get(k)) for k in keys),
             *(cell for objective in objectives
               for cell in (_fmt(trial.in_sample.get(objective)), _fmt(trial.out_of_sample.get(objective)))),
             _fmt(trial.in_sample.get("return")), _fmt(trial.out_of_sample.get("return")),
             _fmt(trial.in_sample.get("trades")), _fmt(trial.out_of_sample.get("trades")), trial.note]
            for trial in ranking.trials[:top]]
    notes = ["  ".join(f"p{i} {key}" for i, key in enumerate(keys, 1))] if keys else []
    notes += [f"[dim]{len(ranking.trials) - top} more trials: --top N[/]"] if len(ranking.trials) > top else []
    notes += [f"[bold yellow]warning:[/] {warning}" for warning in ranking.warnings]
    return ResultTable(title, columns, rows, text_columns=[1, len(columns) - 1], notes=notes)


def _save_study(args: argparse.Namespace, settings: Settings, study: Any, definition: dict[str, Any],
                data_title: str, interrupted: bool) -> None:
    """The study as it stands after this run, as a saved run (``backtest show``/``compare``)."""
    from hft_tui.backtest.saved_results import figures_row, table_body
    from hft_tui.optimize.trial_ranking import rank_study

    ranking = rank_study(study, definition["objectives"])
    figures = []
    best = next((t for t in ranking.trials if t.state == "COMPLETE"), None)
    if best is not None:
        figures.append(figures_row(f"best trial {best.number} in sample", best.in_sample))
        if best.out_of_sample:
            figures.append(figures_row(f"trial {best.number} out of sample", best.out_of_sample))
    save_run(args, settings, "study", f"study {args.study!r} over {data_title}", figures,
             table_body(_study_table(args.study, ranking, definition, 20)), Console(stderr=True),
             interrupted=interrupted)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def _apply(args: argparse.Namespace) -> int:
    from optuna.trial import TrialState

    from hft_tui.optimize.apply_trial import ApplyError, trial_settings, write_trial_settings

    study, definition = _open_existing(args)
    if "base" not in definition:
        raise ApplyError(f"study {args.study!r} was not made by hft-tui optimize run")
    complete = {t.number: t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))}
    if args.trial is None:
        if len(study.directions) > 1:
            front = ", ".join(str(t.number) for t in study.best_trials)
            raise ApplyError(f"several objectives: choose a trial of the Pareto front with --trial N ({front})")
        if not complete:
            raise ApplyError(f"study {args.study!r} has no complete trial yet")
        trial = study.best_trial
    elif args.trial not in complete:
        raise ApplyError(f"trial {args.trial} of study {args.study!r} is not a complete trial")
    else:
        trial = complete[args.trial]
    objectives = definition.get("objectives", [])
    values = ", ".join(f"{name} {value:.6g}" for name, value in zip(objectives, trial.values, strict=False))
    header = (f"hft-tui settings of trial {trial.number} of study {args.study!r} ({values} in sample).\n"
              "Written by `hft-tui optimize apply` and validated by loading it back; use it with --config.")
    path = write_trial_settings(trial_settings(definition["base"], trial.params), args.out, header, force=args.force)
    print(f"wrote trial {trial.number}'s settings to {path}")
    return exit_codes.OK
