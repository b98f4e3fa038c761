"""The drill's report on the terminal: the invariant table, recovery per fault, the load achieved."""

from __future__ import annotations


def print_report(figures: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"ParkLoop fault drill: {figures['deployment']}")
    table.add_column("Invariant")
    table.add_column("Result")
    table.add_column("Detail")
    for row in figures["invariants"]:
        table.add_row(row["check"], "[green]PASS[/]" if row["passed"] else "[red]FAIL[/]", row["detail"])
    faults = Table(title="Recovery after each fault")
    faults.add_column("Fault")
    faults.add_column("Back in (s)", justify="right")
    for name, seconds in figures["recovery_seconds"].items():
        faults.add_row(name, "[red]never[/]" if seconds is None else f"{seconds:.1f}")
    load = figures["load"]
    console = Console()
    console.print(table)
    console.print(faults)
    console.print(
        f"{figures['requests']} requests in {figures['load_seconds']} s; answers by status: "
        f"{figures['answers_by_status']}; {figures['completed_exchanges']} exchanges completed; "
        f"checked in {figures['check_seconds']} s"
    )
    if figures["server_errors_by_request"]:
        console.print(f"5xx or no answer, by request: {figures['server_errors_by_request']}")
    held = load["achieved_exchanges_per_s"] >= 0.95 * load["target_rounds_per_s"]
    console.print(
        f"Load: target {load['target_rounds_per_s']:g} exchanges/s, achieved {load['achieved_exchanges_per_s']:g}/s "
        f"({load['achieved_requests_per_s']:g} requests/s); {load['rounds_not_sent_all_clients_busy']} of "
        f"{load['rounds_due']} rounds not sent because all {load['clients']} clients were busy"
        + ("" if held else " [yellow]— the target rate was not held on this machine[/]")
    )
