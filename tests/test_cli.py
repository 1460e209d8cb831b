"""The `hostcap` command end to end: exit codes, tables, one-line errors, exports."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from hostcap.cli import app
from hostcap.feeder_view import VIEW_COLUMNS
from hostcap.lake import Lake
from hostcap.layers.gold import FEEDER_COLUMNS
from tests.conftest import CONFIGS, REAL, REAL_FILES, SAMPLE, Run

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_refresh_validate_and_export_on_the_sample(tmp_path: Path):
    lake = str(tmp_path / "lake")
    result = invoke("refresh", "--source", str(SAMPLE), "--lake", lake, "--config", str(CONFIGS))
    assert result.exit_code == 0, result.output
    assert "national_grid/installed_der" in result.output and "published: yes" in result.output

    assert invoke("validate", "--source", str(SAMPLE), "--config", str(CONFIGS)).exit_code == 0

    out = tmp_path / "feeders.csv"
    assert invoke("export", "feeders", "--format", "csv", "--out", str(out), "--lake", lake).exit_code == 0
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [*FEEDER_COLUMNS, *VIEW_COLUMNS]  # feeders as served: with their ages and scenarios
    assert {r["utility"] for r in rows} == {"nyseg_rge", "national_grid", "coned", "orange_rockland", "central_hudson"}

    ders = json.loads(invoke("export", "ders", "--format", "json", "--lake", lake).stdout)
    assert {d["status"] for d in ders} == {"installed", "planned", "withdrawn"}
    parquet = tmp_path / "segments.parquet"
    assert invoke("export", "feeder_segments", "--format", "parquet", "--out", str(parquet), "--lake", lake).exit_code == 0
    assert pq.read_table(parquet).num_rows > 1000


def test_a_failing_source_fails_alone_with_a_one_line_error(tmp_path: Path):
    source = tmp_path / "src"
    shutil.copytree(SAMPLE, source)
    broken = next((source / "national_grid" / "network").glob("*.csv"))
    broken.write_text("Master_CDF,feeder_voltage\r\n36_01_00001,13.2\r\n")
    result = invoke("refresh", "--source", str(source), "--lake", str(tmp_path / "lake"), "--config", str(CONFIGS))
    assert result.exit_code == 1
    assert (
        f"error: national_grid/network, file national_grid/network/{broken.name}: required column 'feeder_max_hc' "
        "(for feeder_max_hc_mw) is missing" in result.stderr
    )
    assert "published: yes" in result.output

    result = invoke("validate", "--source", str(source), "--config", str(CONFIGS))
    assert result.exit_code == 2 and "feeder_max_hc" in result.output


def test_config_errors_and_an_empty_lake_are_one_line_errors(tmp_path: Path):
    (tmp_path / "cfg" / "acme").mkdir(parents=True)
    (tmp_path / "cfg" / "acme" / "network.yaml").write_text("utility: acme\n")
    result = invoke("validate", "--config", str(tmp_path / "cfg"))
    assert result.exit_code == 2 and "acme/network.yaml: dataset: Field required" in result.stderr
    result = invoke("export", "feeders", "--lake", str(tmp_path / "nolake"))
    assert result.exit_code == 4 and "has no published snapshot yet" in result.stderr


def test_a_lake_that_cannot_be_written_fails_the_refresh_with_one_line_naming_it(tmp_path: Path):
    """As root, file modes do not stop a write; a lake whose root, or whose `runs` and
    `snapshots` directories, are regular files cannot be written by anyone."""
    base = ("--source", str(SAMPLE), "--config", str(CONFIGS))
    (tmp_path / "lake-file").write_text("not a lake")
    result = invoke("refresh", *base, "--lake", str(tmp_path / "lake-file"))
    assert result.exit_code == 5 and "Traceback" not in result.output
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert line.startswith(f"error: lake: cannot take the refresh lock {tmp_path / 'lake-file'}/refresh.lock: ")
    assert "published: no" in result.stdout

    lake = tmp_path / "lake"
    lake.mkdir()
    for name in ("runs", "snapshots"):
        (lake / name).write_text("not a directory")
    result = invoke("refresh", *base, "--lake", str(lake))
    assert result.exit_code == 5 and "Traceback" not in result.output
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert line.startswith(f"error: lake: cannot list {lake}/runs: ")
    assert "the report could not be saved: cannot write" in line


def test_sample_is_deterministic(tmp_path: Path):
    for name in ("a", "b"):
        assert invoke("sample", "--out", str(tmp_path / name), "--scale", "0.002", "--seed", "7").exit_code == 0
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files) == 12
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)


def test_real_nyseg_der_against_a_network_synthesized_for_their_circuits(real_dir: Path, tmp_path: Path):
    der_files = [real_dir / REAL_FILES[s] for s in ("nyseg_rge/installed_der", "nyseg_rge/planned_der")]
    source = tmp_path / "src"
    args = ["sample", "--out", str(source)]
    for path in der_files:
        args += ["--nyseg-network-for", str(path)]
    assert invoke(*args).exit_code == 0
    for source_id, path in zip(("nyseg_rge/installed_der", "nyseg_rge/planned_der"), der_files):
        (source / source_id).mkdir(parents=True)
        shutil.copy(path, source / source_id / path.name)  # a link out of the source root is refused
    configs = tmp_path / "cfg"
    shutil.copytree(CONFIGS / "_templates", configs / "_templates")
    shutil.copytree(CONFIGS / "nyseg_rge", configs / "nyseg_rge")
    lake = str(tmp_path / "lake")
    assert invoke("refresh", "--source", str(source), "--lake", lake, "--config", str(configs)).exit_code == 0
    run = Run(None, Lake(lake), None)
    ders = run.rows("ders")
    # every distribution DER with a circuit ID now joins a feeder; junk such as '2309001 (NOT GEN)'
    # belongs to a transmission-level record
    assert not [d for d in ders if "unknown_feeder" in d["quality_flags"]]
    (not_gen,) = [d for d in ders if d["native_feeder_id"] == "2309001 (NOT GEN)"]
    assert "transmission" in not_gen["quality_flags"]
    feeders = run.rows("feeders")
    assert len(feeders) > 1000
    assert sum(f["installed_der_count"] for f in feeders) > 12_000


def test_nyseg_network_for_takes_several_files_after_one_flag(real_dir: Path, tmp_path: Path):
    der_files = [str(real_dir / REAL_FILES[s]) for s in ("nyseg_rge/installed_der", "nyseg_rge/planned_der")]
    one_flag = invoke("sample", "--out", str(tmp_path / "a"), "--nyseg-network-for", *der_files)
    assert one_flag.exit_code == 0, one_flag.output
    repeated = invoke("sample", "--out", str(tmp_path / "b"), *(f"--nyseg-network-for={path}" for path in der_files))
    assert repeated.exit_code == 0, repeated.output
    network = Path("nyseg_rge", "network", "nyseg_rge_network.csv")
    assert (tmp_path / "a" / network).read_bytes() == (tmp_path / "b" / network).read_bytes()
    only_first = invoke("sample", "--out", str(tmp_path / "c"), "--nyseg-network-for", der_files[0])
    assert only_first.exit_code == 0
    assert len((tmp_path / "c" / network).read_bytes()) < len((tmp_path / "a" / network).read_bytes())

    not_der = invoke(
        "sample", "--out", str(tmp_path / "d"), "--nyseg-network-for", der_files[0], str(REAL / "utility2_circuits.csv")
    )
    assert not_der.exit_code == 3 and "utility2_circuits.csv: no ProjectCircuitID column" in not_der.stderr
    stray = invoke("sample", "--out", str(tmp_path / "e"), der_files[0])
    assert stray.exit_code == 2 and "only with --nyseg-network-for" in stray.stderr


def test_history_commands(tmp_path: Path):
    source = tmp_path / "src"
    shutil.copytree(SAMPLE, source)
    lake = str(tmp_path / "lake")
    base = ("--source", str(source), "--lake", lake, "--config", str(CONFIGS))
    assert invoke("refresh", *base).exit_code == 0
    unchanged = invoke("refresh", *base)
    assert unchanged.exit_code == 0 and "nothing new published" in unchanged.output
    installed = next((source / "national_grid" / "installed_der").glob("*.csv"))
    installed.write_bytes(installed.read_bytes() + b"4242,null,Solar,12,36_01_99999,0\r\n")
    assert invoke("refresh", *base).exit_code == 0

    store = Lake(lake)
    first, second = store.snapshots()
    listing = invoke("runs", "--lake", lake).output
    assert "unchanged" in listing and listing.count("succeeded") == 2
    shown = invoke("runs", "show", second, "--lake", lake).output
    assert "skipped-unchanged" in shown and "check unique_id:ders.der_id: ok" in shown
    assert first in invoke("snapshots", "--lake", lake).output

    changes = json.loads(invoke("diff", first, "--json", "--lake", lake).stdout)
    assert [d["native_der_id"] for d in changes["ders_new"]] == ["4242"]
    assert "ders new" in invoke("diff", first, second, "--lake", lake).output

    assert invoke("rollback", first, "--lake", lake).exit_code == 0
    assert store.current() == first
    missing = invoke("rollback", "nope", "--lake", lake)
    assert missing.exit_code == 4 and "not in the history" in missing.stderr
    assert invoke("runs", "show", "nope", "--lake", lake).exit_code == 4


def test_every_setting_and_every_json_option_is_in_the_readme():
    from hostcap.config import Settings

    readme = (CONFIGS.parent / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"`HOSTCAP_{name.upper()}`" in readme, name
    for command in ("refresh", "runs", "runs show RUN", "snapshots", "validate"):
        rows = [line for line in readme.splitlines() if f"`hostcap {command} [" in line]
        assert rows and "--json" in rows[0], command
        assert "--json" in invoke(*command.replace(" RUN", "").split(), "--help").output, command
