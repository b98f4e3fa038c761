"""The `parkloop` command: run the embedded system, load the demo park, manage keys and
code tables, run benchmarks."""

from __future__ import annotations

import argparse
import json
import os
import sys

from rich.console import Console

from .benchmarks import BENCHMARKS as BENCHMARK_NAMES
from .supervisor import MIGRATED, WORKERS

console = Console(stderr=True)


def cmd_run(args) -> int:
    from services.common.config import data_dir

    from .demo import load_demo_once
    from .supervisor import Supervisor

    supervisor = Supervisor(args.port, args.host, args.web_workers)
    supervisor.start()
    try:
        supervisor.wait_ready()
        url = f"http://{args.host}:{args.port}"
        key_note = "PARKLOOP_ADMIN_KEY" if os.environ.get("PARKLOOP_ADMIN_KEY") else str(data_dir() / "admin.key")
        if os.environ.get("PARKLOOP_DEMO", "1") != "0":
            load_demo_once(url, data_dir())
        console.print(
            f"[bold green]ParkLoop is running at {url}[/]  (console: {url}/ · API docs: {url}/docs)", soft_wrap=True
        )
        _print_demo_sign_in(data_dir() / "demo-keys.json")
        console.print(f"Admin key: {key_note}    Data: {data_dir()}    Stop: Ctrl-C", soft_wrap=True)
        supervisor.serve_forever()
    except RuntimeError as exc:
        console.print(f"[red]{exc}[/]")
        return 1
    finally:
        supervisor.stop()
    return 0


def _print_demo_sign_in(keys_file) -> None:
    """The demo keys to sign in to the console with (they are local demo keys, kept in the data directory)."""
    if not keys_file.exists():
        return
    keys = json.loads(keys_file.read_text())["keys"]
    console.print(
        f"Sign in to the console as the demo park manager with: [bold]{keys['park_manager']}[/]", soft_wrap=True
    )
    console.print(
        f"  or as an enterprise (Haibin Thermal Power, a steam supplier): {keys['power']}"
        f"    all demo keys: {keys_file}",
        soft_wrap=True,
    )


def cmd_demo(args) -> int:
    from services.common.config import data_dir

    from .demo import load_demo

    summary = load_demo(args.url, data_dir(), args.admin_key)
    print(json.dumps(summary, indent=2))
    return 0


def cmd_keys(args) -> int:
    from gateway.adapters.key_store import KeyStore
    from gateway.bootstrap import MIGRATIONS
    from gateway.domain.keys import ApiKey
    from services.common.config import Settings
    from services.common.db import create_engine, migrate
    from services.common.errors import DomainError
    from services.common.identity import Role

    settings = Settings.from_env("gateway")
    migrate(settings.database_url, MIGRATIONS)
    keys = KeyStore(create_engine(settings.database_url))
    if args.action == "issue":
        try:
            key, secret = ApiKey.issue(Role(args.role), args.label, args.park, args.enterprise, province=args.province)
        except DomainError as exc:
            console.print(f"[red]{exc.detail}[/]")
            return 2
        keys.add(key)
        print(json.dumps({"id": key.id, "role": key.role.value, "key": secret}))
    elif args.action == "list":
        for key in keys.list(0, 10_000)[0]:
            print(
                f"{key.id}  {key.role.value:13} {key.label}  park={key.park_id} enterprise={key.enterprise_id}"
                f"{f'  province={key.province}' if key.province else ''}"
                f"{'  REVOKED' if key.revoked_at else ''}"
            )
    else:
        keys.revoke(args.id)
        print(f"revoked {args.id}")
    return 0


def cmd_codes(args) -> int:
    from services.common.config import Settings
    from services.listings.bootstrap import official_table_path
    from services.listings.domain.reference.waste_codes import import_official_table

    destination = official_table_path(Settings.from_env("listings"))
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        count = import_official_table(args.file, destination)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    print(f"imported {count} codes into {destination}; restart ParkLoop to use them")
    return 0


def cmd_migrate(args) -> int:
    """Bring each named service's database to its newest revision (deployments run this once
    before starting replicas with PARKLOOP_MIGRATE_ON_START=0)."""
    from .supervisor import migrate_all

    migrate_all(args.services or tuple(MIGRATED))
    print("databases at their newest revision: " + ", ".join(args.services or MIGRATED))
    return 0


def cmd_worker(args) -> int:
    import importlib

    from .supervisor import WORKERS

    importlib.import_module(WORKERS[args.name]).main()
    return 0


def cmd_ledger(args) -> int:
    from pathlib import Path

    from services.common.config import data_dir

    from .ledger_cli import CannotProceed, admin_key_from_env, export_ledger, verify_export

    try:
        if args.action == "export":
            count = export_ledger(args.url, admin_key_from_env(data_dir(), args.admin_key), Path(args.file))
            print(f"exported {count} entries with the latest signed checkpoint to {args.file}")
            return 0
        public_key = Path(args.public_key).read_text().strip() if args.public_key else None
        ok, message = verify_export(Path(args.file), public_key)
    except (CannotProceed, OSError) as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    print(message)
    return 0 if ok else 1


def cmd_matching(args) -> int:
    """Rebuild the search index from matching's own store (the projection of every listing
    event): a new index is bulk-loaded, then the alias swaps to it, so searches never see a gap."""
    from services.common.config import Settings
    from services.matching.bootstrap import bootstrap
    from services.matching.service_layer.projection import reindex

    matching = bootstrap(Settings.from_env("matching")).matches
    with console.status(f"Rebuilding the {type(matching.search).__name__} index"):
        count = reindex(matching.store, matching.search)
    print(f"reindexed {count} listings into {type(matching.search).__name__}")
    return 0


def cmd_screenshots(args) -> int:
    """Start a fresh embedded system with the demo park and photograph every console page."""
    import secrets
    import tempfile
    from pathlib import Path

    from .benchmarks.common import free_port_block
    from .console_tour import demo_keys, take_screenshots
    from .demo import load_demo
    from .supervisor import Supervisor

    with tempfile.TemporaryDirectory() as data:
        admin_key = "plk_" + secrets.token_urlsafe(24)
        os.environ.update(PARKLOOP_DATA=data, PARKLOOP_ADMIN_KEY=admin_key, PARKLOOP_DEMO="0")
        port = free_port_block()
        supervisor = Supervisor(port)
        supervisor.start()
        try:
            supervisor.wait_ready()
            url = f"http://127.0.0.1:{port}"
            load_demo(url, Path(data), admin_key)
            for path in take_screenshots(url, demo_keys(Path(data), admin_key), Path(args.out), args.language):
                print(path)
        finally:
            supervisor.stop()
    return 0


def cmd_backup(args) -> int:
    from pathlib import Path

    from services.common.config import data_dir

    from .backup import BackupError, backup

    try:
        manifest = backup(Path(args.dest).resolve(), data_dir())
    except BackupError as exc:
        console.print(f"[red]{exc}[/]", soft_wrap=True)
        return 2
    print(json.dumps({name: db["rows"] for name, db in manifest["databases"].items()}, indent=2))
    if manifest["not_in_data_dir"]:
        console.print(
            f"Not in the data directory (configured in the environment?): {manifest['not_in_data_dir']}",
            soft_wrap=True,
        )
    return 0


def cmd_restore(args) -> int:
    from pathlib import Path

    from .backup import BackupError, restore

    try:
        manifest = restore(Path(args.src).resolve(), Path(args.data_dir).resolve())
    except BackupError as exc:
        console.print(f"[red]{exc}[/]", soft_wrap=True)
        return 2
    console.print(
        f"Restored the backup of {manifest['created_at']} into {args.data_dir}; start it with "
        f"PARKLOOP_DATA={args.data_dir} parkloop run",
        soft_wrap=True,
    )
    return 0


def cmd_drill(args) -> int:
    """Start a ParkLoop of its own (on the real engines with --engines), run the fault drill against
    it, print the tables."""
    import shlex
    import tempfile
    from pathlib import Path

    from .drill import print_report, run_drill
    from .drill.deployment import deployment

    with tempfile.TemporaryDirectory(prefix="parkloop-drill-") as scratch:
        data = Path(args.data_dir or scratch).resolve()
        engines_dir = Path(args.engines_dir or data / "engines").resolve() if args.engines else None
        discard = args.data_dir is None and args.engines_dir is None  # all in a temporary directory
        with deployment(data / "parkloop", args.port, args.receiver_outage, engines_dir, discard) as (
            running,
            engines,
        ):
            figures = run_drill(
                running,
                args.minutes * 60,
                engines=engines,
                receiver_outage_s=args.receiver_outage,
                rate_per_s=args.rate,
                clients=args.clients,
            )
    print_report(figures)
    if args.output:
        figures["command"] = "parkloop " + shlex.join(sys.argv[1:])
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if figures["passed"] else 1


def cmd_bench(args) -> int:
    from .benchmarks import run_benchmark

    print(json.dumps(run_benchmark(args.name, args.scale), indent=2))
    return 0


def _web_workers(spec: str) -> dict[str, int]:
    from .supervisor import parse_web_workers

    try:
        return parse_web_workers(spec)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="parkloop", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="start gateway, services and workers (embedded default)")
    run.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8080)))
    run.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    run.add_argument(
        "--web-workers",
        type=_web_workers,
        default=os.environ.get("PARKLOOP_WEB_WORKERS", ""),
        metavar="N|NAME=N,...",
        help="gunicorn workers per web process: N for all, or e.g. gateway=2,listings=3 (others 1); "
        "default PARKLOOP_WEB_WORKERS or 1",
    )
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="load the demo park into a running ParkLoop")
    demo.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('PORT', 8080)}")
    demo.add_argument("--admin-key", default=None, help="defaults to PARKLOOP_ADMIN_KEY or $PARKLOOP_DATA/admin.key")
    demo.set_defaults(func=cmd_demo)

    keys = sub.add_parser("keys", help="issue, list or revoke API keys (operators, on the gateway's database)")
    keys_sub = keys.add_subparsers(dest="action", required=True)
    issue = keys_sub.add_parser("issue")
    issue.add_argument("--role", required=True, choices=["admin", "park_manager", "enterprise", "province"])
    issue.add_argument("--label", required=True)
    issue.add_argument("--park")
    issue.add_argument("--enterprise")
    issue.add_argument("--province", help="a province key's province, e.g. Jiangsu")
    keys_sub.add_parser("list")
    revoke = keys_sub.add_parser("revoke")
    revoke.add_argument("id")
    keys.set_defaults(func=cmd_keys)

    codes = sub.add_parser("codes", help="waste code tables")
    codes_sub = codes.add_subparsers(dest="action", required=True)
    imp = codes_sub.add_parser("import", help="import the official hazardous waste list (CSV: code,name[,category])")
    imp.add_argument("file")
    codes.set_defaults(func=cmd_codes)

    mig = sub.add_parser("migrate", help="apply database migrations (all services, or those named)")
    mig.add_argument("services", nargs="*", choices=sorted(MIGRATED))
    mig.set_defaults(func=cmd_migrate)

    worker = sub.add_parser("worker", help="run one background worker (e.g. listings-relay)")
    worker.add_argument("name", choices=sorted(WORKERS))
    worker.set_defaults(func=cmd_worker)

    ledger = sub.add_parser("ledger", help="export the ledger, or verify an export offline")
    ledger_sub = ledger.add_subparsers(dest="action", required=True)
    exp = ledger_sub.add_parser("export", help="download entries, recorded hashes, checkpoint and public key")
    exp.add_argument("file")
    exp.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('PORT', 8080)}")
    exp.add_argument("--admin-key", default=None)
    ver = ledger_sub.add_parser("verify", help="check an export offline; exit 1 and name the first bad entry")
    ver.add_argument("file")
    ver.add_argument("--public-key", help="a file with the verifier key obtained independently (recommended)")
    ledger.set_defaults(func=cmd_ledger)

    matching = sub.add_parser("matching", help="matching maintenance")
    matching_sub = matching.add_subparsers(dest="action", required=True)
    matching_sub.add_parser("reindex", help="rebuild the search index without downtime (new index, alias swap)")
    matching.set_defaults(func=cmd_matching)

    shots = sub.add_parser("screenshots", help="photograph every console page on a fresh demo system (needs Chromium)")
    shots.add_argument("--out", default="docs/screenshots")
    shots.add_argument("--language", default="zh_CN", choices=["zh_CN", "en"])
    shots.set_defaults(func=cmd_screenshots)

    backup = sub.add_parser("backup", help="copy the running embedded deployment (databases, event log, secrets)")
    backup.add_argument("dest", help="a new or empty directory")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="bring a backup into a new, empty data directory")
    restore.add_argument("src")
    restore.add_argument("data_dir")
    restore.set_defaults(func=cmd_restore)

    drill = sub.add_parser("drill", help="kill -9 each process of a busy ParkLoop; check nothing was lost")
    drill.add_argument("--minutes", type=float, default=1.0, help="how long the load runs; faults are spaced over it")
    drill.add_argument("--port", type=int, default=int(os.environ.get("PORT", "18800")))
    drill.add_argument("--data-dir", help="where the drill's ParkLoop keeps its data (default: a temporary directory)")
    drill.add_argument(
        "--engines",
        action="store_true",
        help="on PostgreSQL + Kafka + Elasticsearch (infra/engines), each also restarted during the drill",
    )
    drill.add_argument(
        "--engines-dir",
        help="the engines' directory: reused when up.sh already runs them there, else they are started "
        "there and stopped at the end (default: under the data directory)",
    )
    drill.add_argument("--rate", type=float, default=50.0, help="exchanges a second the load aims at (open loop)")
    drill.add_argument("--clients", type=int, default=48, help="rounds of load in flight at most")
    drill.add_argument("--receiver-outage", type=float, default=120.0, help="seconds the webhook receiver answers 503")
    drill.add_argument("--output", help="also write the figures as JSON here (e.g. benchmarks/results/drill.json)")
    drill.set_defaults(func=cmd_drill)

    bench = sub.add_parser("bench", help="run a benchmark and print its figures as JSON")
    bench.add_argument("name", choices=sorted(BENCHMARK_NAMES))
    bench.add_argument("--scale", type=int, default=None, help="requests or events (each benchmark has a default)")
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
