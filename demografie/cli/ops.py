"""The commands of operations: deploy, serve, check-access."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

import demografie.cli.output as output
from demografie.cli.base import (
    HomeOption,
    app,
    settings_for,
)


@app.command()
def deploy(
    work_pool: Annotated[str, typer.Option(help="The process work pool the deployments go to")] = "demografie",
) -> None:
    """Register the deployments of prefect.yaml on the configured Prefect server (PREFECT_API_URL),
    with the work pool and the publishers' global concurrency limits."""
    from demografie.flows.deploy import DeployError, register

    try:
        registered = register(work_pool=work_pool)
    except DeployError as exc:
        output.err.print(f"[bold red]Not deployed:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    for created in registered.created:
        output.console.print(f"created {escape(str(created))}")
    output.console.print(
        f"deployments nightly, backfill and ingest registered on {registered.api_url}\n"
        f"start a worker: prefect worker start --pool {registered.work_pool}"
    )


@app.command()
def serve() -> None:
    """Run the nightly (02:00 Europe/Berlin), backfill and ingest deployments from this process."""
    from demografie.flows.deploy import serve as serve_deployments

    serve_deployments()


@app.command("check-access")
def check_access(home: HomeOption = None) -> None:
    """Ask each GENESIS publisher's logincheck whether its address answers and accepts the
    credentials (read as the nightly run reads them; never printed)."""
    from demografie.flows.tasks import credentials_lookup
    from demografie.usecases.access import check_access as check

    reports = check(settings_for(home), credentials_lookup)
    for report in reports:
        verdict = {True: "ok", False: "FAILED", None: "not checked"}[report.ok]
        # plain lines: an address or a variable is never cut or wrapped by a table
        print(f"{report.publisher}: {verdict} ({report.name})")
        print(f"  address:     {report.address} ({report.address_from})")
        print(f"  credentials: {report.credentials_from}")
        print(f"  {report.verdict}")
    if any(report.ok is False for report in reports):
        raise typer.Exit(1)
