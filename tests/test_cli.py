"""The command line as a user runs it: real subprocesses, exit codes, messages, no tracebacks."""

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bertlib", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_doctor_reports_backend_and_models():
    out = run("doctor")
    assert out.returncode == 0, out.stderr
    assert "ttnn            0.81.1" in out.stdout
    assert "backend" in out.stdout and "minilm" in out.stdout
    assert re.search(r"ttnn emulated   \d+ of \d+ top-level ttnn functions", out.stdout)
    listed = run("doctor", "--ops")
    assert listed.returncode == 0 and "emulated ops by family" in listed.stdout and "refused (" in listed.stdout


def test_pcc_json_minilm_squad_meets_the_bar():
    out = run("pcc", "--model", "minilm-squad", "--seq", "128", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["min_pcc"] >= 0.99
    assert result["min_pcc"] == min(r["pcc"] for r in result["rows"])
    assert set(result["rows"][0]) == {"layer", "block", "pcc", "max_abs_err", "shape"}
    assert result["rows"][-1]["block"] == "qa_logits" and len(result["rows"]) == 1 + 6 * 9 + 1


def test_pcc_compares_precisions_side_by_side_and_draws_them(tmp_path):
    figure = tmp_path / "layers.png"
    out = run("pcc", "--model", "random:bert-tiny", "--seq", "64", "--precision", "bf16-hifi4", "optimized", "--json",
              "--plot", str(figure))
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    assert [r["precision"] for r in results] == ["bf16-hifi4", "optimized"]
    assert all(r["min_pcc"] == min(row["pcc"] for row in r["rows"]) for r in results)
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo_answers_offline(tmp_path):
    inputs = tmp_path / "two.json"
    inputs.write_text(json.dumps([
        {"context": "The Rhine is about 1,230 kilometres long and flows into the North Sea.",
         "question": "How long is the Rhine?"},
        {"context": "Honey is made by bees from the nectar of flowers.", "question": "What do bees make honey from?"},
    ]))
    out = run("demo", "--input", str(inputs), "--batch", "2", "--seq", "128")
    assert out.returncode == 0, out.stderr
    assert "TT-NN: 1,230" in out.stdout and "HF   : 1,230" in out.stdout
    assert "nectar" in out.stdout
    assert "windows, batch" not in out.stderr  # two inputs: no progress bar


@pytest.mark.parametrize("args,message", [
    (["pcc", "--model", "bert-huge"], "unknown model 'bert-huge'"),
    (["pcc", "--model", "minilm-squad", "--seq", "100"], "not a positive multiple of 32"),
    (["pcc", "--model", "minilm-squad", "--seq", "1024"], "longer than this model's 512 positions"),
    (["demo", "--input", "/nonexistent.json"], "does not exist"),
    (["demo", "--strict-batch", "--batch", "3"], "--strict-batch needs exactly 3 inputs"),
    (["squad", "--input", "data/input_data.json"], "unrecognized arguments: --input"),  # a flag it would ignore
])
def test_bad_input_exits_nonzero_without_traceback(args, message):
    out = run(*args)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_demo_shows_progress_on_long_input_files(tmp_path):
    many = tmp_path / "many.json"
    many.write_text(json.dumps([{"context": f"Item {i} costs {i} euros.", "question": f"What does item {i} cost?"}
                                for i in range(40)]))
    out = run("demo", "--input", str(many), "--seq", "64", "--batch", "8", "--target", "torch")
    assert out.returncode == 0, out.stderr
    assert "40 windows, batch 8" in out.stderr and "5/5" in out.stderr  # the progress bar, on stderr
    assert "What does item 39 cost?" in out.stdout


def test_malformed_input_files(tmp_path):
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("[{")
    wrong_fields = tmp_path / "fields.json"
    wrong_fields.write_text(json.dumps([{"text": "x"}]))
    for path, message in [(bad_json, "is not valid JSON"), (wrong_fields, 'needs string fields "context" and "question"')]:
        out = run("demo", "--input", str(path))
        assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


def test_squad_says_which_data_and_articles_it_scores(tmp_path, capsys):
    from bertlib.cli import main

    def article(title, context, question, answer):
        qa = {"id": title, "question": question, "answers": [{"text": answer, "answer_start": context.index(answer)}]}
        return {"title": title, "paragraphs": [{"context": context, "qas": [qa]}]}

    data = tmp_path / "tiny.json"
    data.write_text(json.dumps({"version": "1.1", "data": [
        article("Rhine", "The Rhine is about 1,230 kilometres long.", "How long is the Rhine?", "1,230 kilometres"),
        article("Oxygen", "Plants release oxygen when they split water.", "What do plants release?", "oxygen")]}))
    assert main(["squad", "--data", str(data), "--seq", "128"]) == 0
    assert f"data {data}: 2 questions from 2 articles (Rhine, Oxygen)" in capsys.readouterr().out
    assert main(["squad", "--data", str(data), "--seq", "128", "--titles", "Oxygen", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["data"], out["articles"], out["questions"]) == (str(data), ["Oxygen"], 1)


def test_binary_files_get_a_one_line_error(tmp_path, capsys):
    """A file that is not UTF-8 text: exit code 2 and a line naming it, for every command that reads one."""
    from bertlib.cli import main

    binary = tmp_path / "photo.json"
    binary.write_bytes(bytes(range(128, 256)))
    for args in (["demo", "--input", str(binary)], ["score", "--data", str(binary), "--predictions", str(binary)],
                 ["squad", "--data", str(binary)]):
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert f"{binary} is not UTF-8 text (byte 0 cannot be decoded)" in err and "Traceback" not in err


@pytest.fixture
def opened_handles(monkeypatch):
    """Every handle ``bertlib.device.open_device`` returns during the test; all are closed after it."""
    import bertlib.device

    handles = []
    real = bertlib.device.open_device

    def spy(*args, **kwargs):
        handles.append(real(*args, **kwargs))
        return handles[-1]

    monkeypatch.setattr(bertlib.device, "open_device", spy)
    yield handles
    bertlib.device.close_all()


@pytest.mark.parametrize("argv", [
    ["demo"],
    ["demo", "--target", "torch"],
    ["demo", "--seq", "100"],  # refused after the device is open
    ["pcc", "--json"],
    ["squad", "--json"],
    ["precision", "--json", "--limit", "1"],
])
def test_commands_close_the_device_they_open(argv, opened_handles, tmp_path):
    """Demo, pcc, squad and precision close their device when they end or fail, not only when main() ends."""
    from bertlib.cli import build_parser
    from bertlib.errors import BertlibError

    inputs = tmp_path / "one.json"
    inputs.write_text(json.dumps([{"context": "Honey is made by bees.", "question": "Who makes honey?"}]))
    data = tmp_path / "one-squad.json"
    data.write_text(json.dumps({"version": "1.1", "data": [{"title": "Honey", "paragraphs": [
        {"context": "Honey is made by bees.", "qas": [
            {"id": "q", "question": "Who makes honey?", "answers": [{"text": "bees", "answer_start": 17}]}]}]}]}))
    where = {"demo": ["--input", str(inputs)], "pcc": ["--input", str(inputs)], "squad": ["--data", str(data)],
             "precision": ["--data", str(data), "--titles", "Honey"]}
    args = build_parser().parse_args([*argv, *where[argv[0]], "--model", "random:bert-tiny", "--batch", "1",
                                      *([] if "--seq" in argv else ["--seq", "64"])])
    if "--seq" in argv:
        with pytest.raises(BertlibError, match="not a positive multiple of 32"):
            args.func(args)
    else:
        assert args.func(args) == 0
    assert len(opened_handles) == 1 and opened_handles[0].closed


def test_finetune_reports_the_recipe_and_its_duration(tmp_path):
    out = tmp_path / "ckpt"
    first = run("finetune", "--out", str(out), "--max-steps", "1", "--save-every", "1", timeout=900)
    assert first.returncode == 0, first.stderr
    examples, windows = map(int, re.search(r"(\d+) examples, (\d+) windows", first.stdout).groups())
    # the recipe's data: 16,326 SQuAD questions plus about 17,600 generated unanswerable examples
    assert 33_500 < examples < 34_500 and windows > examples
    total = math.ceil(5 * windows / 32)  # 5 epochs of batch 32
    assert f"stopped at step 1 of {total}" in first.stdout
    assert re.search(rf"s per step on cpu: the {total} steps take about [\d.]+ (min|h|days) on this machine", first.stdout)
    assert (out / "trainer-state.pt").exists() and not (out / "model.safetensors").exists()


def test_more_bad_input_from_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    empty = tmp_path / "empty_question.json"
    empty.write_text(json.dumps([{"context": "Some text.", "question": "  "}]))
    preds = tmp_path / "preds.json"
    preds.write_text(json.dumps({"nope": "x"}))
    dataset = tmp_path / "data.json"
    dataset.write_text(json.dumps({"version": "v2.0", "data": [{"title": "T", "paragraphs": [
        {"context": "c", "qas": [{"id": "q1", "question": "?", "answers": []}]}]}]}))
    cases = [
        (["pcc", "--model", "bert-large"], "cannot be reached from here. Offline, use minilm-squad"),
        (["demo", "--batch", "0"], "--batch must be at least 1"),
        (["pcc", "--precision", "int3"], "invalid choice: 'int3'"),
        (["demo", "--input", str(empty), "--seq", "128"], "the question is empty"),
        (["score", "--data", str(dataset), "--predictions", str(preds)], "have no prediction (first: q1)"),
        (["score", "--data", str(dataset), "--predictions", str(tmp_path / "none.json")], "does not exist"),
        (["squad", "--data", str(tmp_path / "none.json")], "does not exist"),
    ]
    for args, message in cases:
        out = run(*args)
        assert out.returncode == 2, (args, out.stderr)
        assert message in out.stderr, (args, out.stderr)
        assert "Traceback" not in out.stderr


def test_score_matches_hand_computed_result(tmp_path):
    dataset = tmp_path / "data.json"
    dataset.write_text(json.dumps({"version": "v2.0", "data": [{"title": "T", "paragraphs": [{"context": "c", "qas": [
        {"id": "a", "question": "?", "answers": [{"text": "Paris", "answer_start": 0}]},
        {"id": "b", "question": "?", "answers": []}]}]}]}))
    preds = tmp_path / "preds.json"
    preds.write_text(json.dumps({"a": "the Paris", "b": "Rome"}))
    out = run("score", "--data", str(dataset), "--predictions", str(preds), "--json")
    result = json.loads(out.stdout)
    assert result["exact"] == 50.0 and result["HasAns_exact"] == 100.0 and result["NoAns_f1"] == 0.0


def test_bench_json_rows():
    out = run("bench", "--models", "random:bert-tiny", "--seq", "128", "--repeats", "1", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)["rows"]
    assert [r["precision"] for r in rows] == ["bf16-hifi4", "optimized"]
    for r in rows:
        assert r["emulator_s"] > 0 and r["hf_s"] > 0 and abs(r["ratio"] - r["emulator_s"] / r["hf_s"]) < 1e-9
        assert r["hf_attention"] == "sdpa" and (r["batch"], r["seq"]) == (8, 128)


def test_bench_where_the_time_goes():
    """bf16-hifi4 rounds no K-tiles and stores no block floats; optimized does both."""
    from bertlib.bench import where_time_goes

    exact = where_time_goes("random:bert-tiny", "bf16-hifi4", batch=1, seq=64)
    optimized = where_time_goes("random:bert-tiny", "optimized", batch=1, seq=64)
    assert exact["matmuls"] > 0 and optimized["matmuls"] > 0
    assert "block-float storage" not in exact and optimized["block-float storage"] > 0
    out = run("bench", "--where", "--models", "random:bert-tiny", "--precisions", "optimized", "--seq", "64")
    assert out.returncode == 0 and out.stdout.startswith("random:bert-tiny optimized: ") and "matmuls" in out.stdout, out.stderr


def fresh_copy(dest: Path) -> Path:
    """The repository's files as a clone would have them (tracked and not ignored), with no ../shared beside."""
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            (dest / name).write_bytes(source.read_bytes())
    return dest


def test_demo_from_a_fresh_clone_without_shared_gives_trained_answers(tmp_path):
    clone = fresh_copy(tmp_path / "bert-ttnn")
    assert not (tmp_path / "shared").exists()
    env = {k: v for k, v in os.environ.items() if k != "BERTLIB_MODELS_DIR"} | {
        "PYTHONPATH": str(clone), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-m", "bertlib", "demo"], cwd=clone, env=env, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert f"({clone / 'data' / 'models' / 'minilm-l6-squad2'})" in out.stdout  # the clone's own model
    for answer in ("TT-NN: oxygen", "TT-NN: 1,230", "TT-NN: August 2012", "HF   : August 2012", "TT-NN: distance"):
        assert answer in out.stdout
    assert "untrained" not in (out.stdout + out.stderr).lower()
    doctor = subprocess.run([sys.executable, "-m", "bertlib", "doctor"], cwd=clone, env=env, capture_output=True,
                            text=True, timeout=300)
    assert "missing         SQuAD data" in doctor.stdout and "--data squad_v2" in doctor.stdout
    squad = subprocess.run([sys.executable, "-m", "bertlib", "squad", "--limit", "2"], cwd=clone, env=env,
                           capture_output=True, text=True, timeout=300)
    assert squad.returncode == 2 and "Traceback" not in squad.stderr
    assert squad.stderr.count("\n") == 1 and "could not load 'squad_v2'" in squad.stderr
    assert "offline, pass --data FILE" in squad.stderr and "use --data squad_v2" not in squad.stderr


def test_auto_without_a_trained_model_is_refused(tmp_path):
    clone = fresh_copy(tmp_path / "bert-ttnn")
    for shipped in (clone / "data" / "models" / "minilm-l6-squad2").iterdir():
        shipped.unlink()
    env = {k: v for k, v in os.environ.items() if k != "BERTLIB_MODELS_DIR"} | {
        "PYTHONPATH": str(clone), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-m", "bertlib", "demo"], cwd=clone, env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "error: no trained QA model found" in out.stderr and "python -m bertlib finetune" in out.stderr
    untrained = subprocess.run([sys.executable, "-m", "bertlib", "demo", "--model", "minilm", "--seq", "128"],
                               cwd=clone, env=env, capture_output=True, text=True, timeout=300)
    assert untrained.returncode == 0, untrained.stderr
    answers = [line for line in untrained.stdout.splitlines() if line.startswith("    TT-NN:")]
    assert len(answers) == 8 and all(line.endswith("[untrained QA head: meaningless]") for line in answers)
