"""Write the demo datasets as Parquet, each beside its manifest, ready to register.

    python -m demo_data --out DIR [--scale 1.0] [--seed N] [--only NAME ...]

Writes DIR/<name>/<name>.parquet and DIR/<name>/manifest.yaml (copied from
datasets/manifests/). Then: `campus dataset register DIR/<name>/manifest.yaml`.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from demo_data.generate import GENERATORS, generate

MANIFESTS = Path(__file__).resolve().parent.parent / "manifests"

app = typer.Typer(add_completion=False, help=__doc__)


def write_dataset(name: str, out: Path, *, scale: float = 1.0, seed: int = 20251125) -> Path:
    """Generate one dataset into out/<name>/ and return the path of its manifest."""
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    frame = generate(name, seed=seed, scale=scale)
    tmp = folder / f".{name}.parquet.tmp"
    frame.to_parquet(tmp, index=False, row_group_size=100_000)
    tmp.replace(folder / f"{name}.parquet")
    shutil.copyfile(MANIFESTS / f"{name}.yaml", folder / "manifest.yaml")
    return folder / "manifest.yaml"


@app.command()
def main(
    out: Annotated[Path, typer.Option(help="folder to write the datasets into")],
    scale: Annotated[float, typer.Option(min=0.01, help="1.0 = small demo; 100 = millions of rows")] = 1.0,
    seed: Annotated[int, typer.Option(help="random seed")] = 20251125,
    only: Annotated[list[str] | None, typer.Option(help="generate only these datasets")] = None,
) -> None:
    names = only or list(GENERATORS)
    unknown = sorted(set(names) - set(GENERATORS))
    if unknown:
        typer.echo(f"error: unknown dataset {unknown[0]!r} (known: {', '.join(GENERATORS)})", err=True)
        raise typer.Exit(2)
    for name in names:
        manifest = write_dataset(name, out, scale=scale, seed=seed)
        typer.echo(f"wrote {manifest.parent}")


if __name__ == "__main__":
    app()
