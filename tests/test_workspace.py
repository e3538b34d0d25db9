"""A crate generated inside an existing Cargo workspace (issue 10, item 2): detected from the
destination, generated as a member (no `[workspace]` of its own, the policy's crates inherited from
the root's `[workspace.dependencies]`), registered in the root's `members` unless a glob covers it,
gates scoped to the package, and kept current by `copier update`."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import copier
import pytest
import samples  # scripts/samples.py (on sys.path through conftest)
import tomlkit
from conftest import (
    GIT_IDENTITY,
    REPO,
    assert_no_conflicts,
    bump_policy,
    cargo_env,
    commit_all,
    git,
    run,
)
from copier.errors import UserMessageError
from test_gate5 import BRIEF, TARGET, counts, gate_5, inject

# Bound at collection, from this checkout's hooks/ (conftest puts it first on sys.path): copier
# runs older releases in this process too, and their hooks may put their own modules of these
# names in sys.modules; an import inside a test could then get an older release's module.
sys.path.insert(0, str(REPO / "hooks"))
import workspace  # noqa: E402
from answer_rules import workspace_root_error  # noqa: E402
from context import policy_version  # noqa: E402

ROOT_MANIFEST = """\
# The team's workspace: its own comments and layout must survive the registration.
[workspace]
members = ["crates/existing"]
resolver = "3"

[profile.dev.package."*"]
debug = false

[profile.release]
lto = false
debug = "line-tables-only"
"""


pytestmark = pytest.mark.usefixtures("git_identity")


def make_workspace(root: Path, manifest: str = ROOT_MANIFEST) -> Path:
    """A git repository holding a Cargo workspace with one existing member, `crates/existing`."""
    (root / "crates" / "existing" / "src").mkdir(parents=True)
    (root / "Cargo.toml").write_text(manifest, encoding="utf-8")
    (root / "crates" / "existing" / "Cargo.toml").write_text(
        '[package]\nname = "existing"\nversion = "0.1.0"\nedition = "2024"\n', encoding="utf-8"
    )
    (root / "crates" / "existing" / "src" / "lib.rs").write_text(
        "//! The team's crate that was there first.\n\n/// One.\n#[must_use]\npub fn one() -> u32 {\n    1\n}\n",
        encoding="utf-8",
    )
    git(root.parent, "init", "-q", "-b", "main", str(root))
    commit_all(root, "the workspace")
    return root


def generate(template: Path, dst: Path, **data) -> None:
    """`copier copy` from release 1.0.0 of ``template`` into ``dst`` with ``data``."""
    copier.run_copy(str(template), dst, data=data, defaults=True, unsafe=True, vcs_ref="1.0.0", quiet=True)


def policy_table(crate: Path) -> dict:
    """The workspace root's ``[workspace.dependencies]`` (the crate is two folders below it)."""
    return tomllib.loads((crate / ".." / ".." / "Cargo.toml").read_text(encoding="utf-8"))["workspace"]["dependencies"]


# --- detection and registration (hooks/workspace.py) ---------------------------------------------


def test_the_enclosing_workspace_is_found_as_cargo_finds_it(tmp_path):
    root = make_workspace(tmp_path / "ws")
    assert workspace.enclosing_workspace(root / "crates" / "new") == "../.."
    assert workspace.enclosing_workspace(root / "new") == ".."
    assert workspace.enclosing_workspace(tmp_path / "elsewhere" / "new") == ""
    # a package manifest without [workspace] on the way up is passed over, as cargo does
    (root / "crates" / "Cargo.toml").write_text('[package]\nname = "x"\nversion = "0.1.0"\n', encoding="utf-8")
    assert workspace.enclosing_workspace(root / "crates" / "new") == "../.."
    # a destination that is a crate of its own (this template's standalone crate, on update)
    (root / "crates" / "own").mkdir()
    (root / "crates" / "own" / "Cargo.toml").write_text('[package]\nname = "own"\n[workspace]\n', encoding="utf-8")
    assert workspace.enclosing_workspace(root / "crates" / "own") == ""


def test_a_folder_the_workspace_excludes_gets_a_crate_of_its_own(tmp_path):
    root = make_workspace(
        tmp_path / "ws", ROOT_MANIFEST.replace('resolver = "3"', 'resolver = "3"\nexclude = ["vendor"]')
    )
    assert workspace.enclosing_workspace(root / "vendor" / "new") == ""
    with pytest.raises(workspace.WorkspaceError, match=r"excludes vendor/new"):
        workspace.member_path(root / "vendor" / "new", "../..")


@pytest.mark.parametrize(
    ("members", "added"),
    [
        ('["crates/existing"]', "crates/new"),  # listed one by one: appended
        ('["crates/*"]', None),  # a glob covers it: the root stays byte for byte
        ('["crates/existing", "crates/new"]', None),  # already listed (a second run of the task)
        (None, "crates/new"),  # no members key yet
    ],
)
def test_the_member_is_registered_unless_an_entry_covers_it(tmp_path, members, added):
    text = ROOT_MANIFEST.replace('members = ["crates/existing"]\n', "" if members is None else f"members = {members}\n")
    root = make_workspace(tmp_path / "ws", text)
    (root / "crates" / "new").mkdir()
    assert workspace.register_member(root / "crates" / "new", "../..") == added
    after = (root / "Cargo.toml").read_text(encoding="utf-8")
    if added is None:
        assert after == text
    else:
        assert "crates/new" in tomllib.loads(after)["workspace"]["members"]
        assert after.startswith("# The team's workspace")  # the team's comment and layout kept
        assert workspace.register_member(root / "crates" / "new", "../..") is None  # idempotent
        assert (root / "Cargo.toml").read_text(encoding="utf-8") == after


def test_the_policy_entries_join_the_roots_table_and_only_marked_lines_move(tmp_path):
    mark = workspace.POLICY_MARK
    text = ROOT_MANIFEST + (
        "\n[workspace.dependencies]\n"
        "# the team's own pins\n"
        'serde = "1.0.200"\n'
        f'rayon = "1.10" {mark}\n'  # marked, an older policy version: a bump moves it
        f'clap = {{version = "4.6", features = ["derive", "env"]}} {mark}\n'  # marked, edited
        f'anyhow = "9.0.0" {mark}\n'  # marked, newer: another member's newer release
    )
    root = make_workspace(tmp_path / "ws", text)
    wanted = {
        "serde": '{version = "1.0.228", features = ["derive"]}',
        "rayon": '"1.12"',
        "clap": '{version = "4.6", features = ["derive"]}',
        "anyhow": '"1.0.100"',
        "thiserror": '"2.0.17"',
    }
    said = workspace.register_dependencies(root / "crates" / "new", "../..", wanted)
    after = (root / "Cargo.toml").read_text(encoding="utf-8")
    assert after.startswith(ROOT_MANIFEST) and "# the team's own pins\n" in after
    table = tomllib.loads(after)["workspace"]["dependencies"]
    assert table == {
        "serde": "1.0.200",  # the workspace's own line: kept
        "rayon": "1.12",  # moved
        "clap": {"version": "4.6", "features": ["derive", "env"]},  # the team's edit of a marked line: kept
        "anyhow": "9.0.0",  # never down
        "thiserror": "2.0.17",  # added
    }
    assert f'thiserror = "2.0.17" {mark}\n' in after and f'rayon = "1.12" {mark}\n' in after
    assert said[0] == "added the policy's thiserror" and said[1] == "moved rayon to the policy's new versions"
    assert said[2].startswith("kept as the workspace has them: serde = ") and "; clap = " in said[2]
    assert len(said) == 3  # one line each: nothing said about the newer anyhow
    assert workspace.register_dependencies(root / "crates" / "new", "../..", wanted) == said[2:]  # idempotent
    assert (root / "Cargo.toml").read_text(encoding="utf-8") == after


@pytest.mark.parametrize(
    ("answer", "valid"),
    [
        ("", True),
        ("..", True),
        ("../..", True),
        ("../../", True),
        ("crates", False),
        ("../../x", False),
        ("/abs", False),
        ("./..", False),
    ],
)
def test_the_workspace_root_answer_is_a_path_up(answer, valid):
    assert (workspace_root_error(answer) == "") is valid


# --- rendering (copier copy) ----------------------------------------------------------------------


def test_a_crate_generated_inside_a_workspace_is_a_member(tmp_path, template_repo):
    root = make_workspace(tmp_path / "ws")
    member = root / "crates" / "new-lib"
    generate(template_repo, member, stack=["moka"])

    manifest = tomllib.loads((member / "Cargo.toml").read_text(encoding="utf-8"))
    assert "workspace" not in manifest and "profile" not in manifest  # the root owns both
    # The policy's crates joined the root's [workspace.dependencies], marked as the policy's, the
    # team's comments and profiles kept; the member inherits them with the features it needs.
    deps = policy_table(member)
    assert deps["moka"]["version"] == policy_version("moka")
    assert deps["thiserror"] == policy_version("thiserror")
    assert deps["gungraun"] == "=" + policy_version("gungraun")
    root_text = (root / "Cargo.toml").read_text(encoding="utf-8")
    assert root_text.startswith(
        ROOT_MANIFEST.split("[profile", 1)[0].replace('"crates/existing"', '"crates/existing", "crates/new-lib"')
    )
    assert root_text.endswith(
        '\n\n[profile.dev.package."*"]\ndebug = false\n\n[profile.release]\nlto = false\ndebug = "line-tables-only"\n'
    )
    assert f'thiserror = "{policy_version("thiserror")}" {workspace.POLICY_MARK}\n' in root_text
    assert manifest["dependencies"]["moka"] == {"workspace": True, "features": ["future"]}
    assert manifest["dependencies"]["thiserror"] == {"workspace": True}
    assert manifest["dev-dependencies"]["gungraun"] == {"workspace": True}
    assert set(manifest["dependencies"]) | set(manifest["dev-dependencies"]) == set(deps)
    assert manifest["lints"]["clippy"]["unwrap_used"] == "deny"  # the policy's lints stay on the member
    assert not (member / ".github").exists() and not (member / ".cargo").exists()
    answers = (member / ".copier-answers.yml").read_text(encoding="utf-8")
    assert "workspace_root: ../..\n" in answers  # recorded: `copier update` renders a member too
    assert tomllib.loads((root / "Cargo.toml").read_text(encoding="utf-8"))["workspace"]["members"] == [
        "crates/existing",
        "crates/new-lib",
    ]
    gates = (member / "scripts" / "gates.sh").read_text(encoding="utf-8")
    assert "cargo build --release --package new-lib;" in gates
    assert "cargo clippy --package new-lib --all-targets --all-features -- -D warnings\n" in gates
    assert 'RUSTDOCFLAGS="${RUSTDOCFLAGS:-} -D warnings" cargo doc --package new-lib --no-deps --all-features' in gates
    assert "cargo fmt --check --package new-lib;" in gates
    assert "cargo test --package new-lib --all-features --no-fail-fast" in gates
    contributing = (member / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "## Workspace member" in contributing and ".github/workflows" not in contributing
    agents = (member / "AGENTS.md").read_text(encoding="utf-8")  # nearest AGENTS.md wins: the member has its own
    assert "`cargo clippy --package new-lib --all-targets --all-features -- -D warnings`" in agents
    assert f'moka = {{version = "{policy_version("moka")}"' in agents


def test_one_task_joins_a_cli_with_bindings_and_says_what_it_did(tmp_path, template_repo):
    """Through copier's CLI, as a user sees it: one task, numbered "1 of 1" (copier numbers every
    task it has, run or not), which registers the three packages and adds the policy's entries."""
    root = make_workspace(tmp_path / "ws")
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("copier")), "copy", "--trust", "--defaults"]
        + ["--data", "project_name=tool", "--data", "crate_kind=cli", "--data", "python_bindings=true"]
        + [str(template_repo), str(root / "crates" / "tool")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    output = completed.stdout + completed.stderr
    assert re.findall(r"Running task (\d+) of (\d+)", output) == [("1", "1")], output
    members = tomllib.loads((root / "Cargo.toml").read_text(encoding="utf-8"))["workspace"]["members"]
    assert members == ["crates/existing", "crates/tool", "crates/tool/cli", "crates/tool/python"]
    for member in members[1:]:
        assert f"copier-reasonkit-rust: added '{member}' to [workspace] members of" in output, output
    assert "copier-reasonkit-rust: [workspace.dependencies] of " in output


def test_an_explicit_answer_overrides_the_detection(tmp_path, template_repo):
    root = make_workspace(
        tmp_path / "ws", ROOT_MANIFEST.replace('resolver = "3"', 'resolver = "3"\nexclude = ["tools"]')
    )
    before = (root / "Cargo.toml").read_text(encoding="utf-8")
    generate(template_repo, root / "tools" / "solo", stack=[], workspace_root="")
    assert "workspace" in tomllib.loads((root / "tools" / "solo" / "Cargo.toml").read_text(encoding="utf-8"))
    assert (root / "Cargo.toml").read_text(encoding="utf-8") == before


def test_a_workspace_root_answer_without_a_workspace_writes_nothing(tmp_path, template_repo):
    destination = tmp_path / "plain" / "crates" / "new"
    with pytest.raises(
        UserMessageError, match=r"question 'workspace_root': \.\./\.\. .* holds no Cargo.toml with a \[workspace\]"
    ):
        generate(template_repo, destination, stack=[], workspace_root="../..")
    assert not destination.exists() or not any(destination.iterdir())


def test_a_member_mcp_server_message_points_at_the_workspace_target(tmp_path):
    root = make_workspace(tmp_path / "ws")
    copier_cli = Path(sys.executable).with_name("copier")
    completed = subprocess.run(
        [
            str(copier_cli),
            "copy",
            "--trust",
            "--defaults",
            "--data",
            "crate_kind=mcp-server",
            "--data",
            "stack=[]",
            str(REPO),
            str(root / "crates" / "tools"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    text = completed.stdout + completed.stderr
    assert "member of the Cargo workspace at ../..) in " in text
    assert "cargo build --package tools --package tools-mcp-server " in text
    assert "git add . ../../Cargo.toml ../../Cargo.lock && git commit" in text
    assert "git init" not in text.replace("no `git init`", "")
    assert f'"command": "{root}/crates/tools/../../target/release/tools"' in text
    assert "template-update.yml" not in text and "scripts/template_update.py\nCall it from the workspace's CI" in text


# --- the whole workspace through the gates, then an update (slow) ---------------------------------


@pytest.mark.slow
@pytest.mark.builds("own")
def test_members_of_each_kind_pass_the_gates_and_take_an_update(tmp_path, template_repo):
    root = make_workspace(tmp_path / "ws")
    kinds = {"lib": "ws-lib", "cli": "ws-cli", "mcp-server": "ws-mcp"}
    for kind, name in kinds.items():
        # ws-cli is the workspace sample's member (a cli with rayon: examples/workspace, whose
        # gates this test runs in its stead) and also ships Python bindings: their package
        # (python/, pyo3 from the root's table) joins the workspace and passes the gates below.
        generate(
            template_repo,
            root / "crates" / name,
            project_name=name,
            crate_kind=kind,
            stack=samples.SAMPLES["workspace"][0]["stack"] if kind == "cli" else [],
            python_bindings=kind == "cli",
        )
    members = tomllib.loads((root / "Cargo.toml").read_text(encoding="utf-8"))["workspace"]["members"]
    assert members == [
        "crates/existing",
        "crates/ws-lib",
        "crates/ws-cli",
        "crates/ws-cli/cli",
        "crates/ws-cli/python",
        "crates/ws-mcp",
        "crates/ws-mcp/mcp-server",
    ]  # a binary's package joins too, and a Python bindings package

    env = cargo_env()
    run(["cargo", "generate-lockfile"], root, env)
    # `cargo add` in a member edits the policy crate's own line: never a second entry for it.
    lib_manifest = root / "crates" / "ws-lib" / "Cargo.toml"
    generated = lib_manifest.read_text(encoding="utf-8")
    run(["cargo", "add", "--package", "ws-lib", "tokio", "--features", "net"], root, env)
    edited = lib_manifest.read_text(encoding="utf-8")
    # one tokio line in [dependencies] (the tests' own, with their runtime features, is in
    # [dev-dependencies])
    dependencies = edited.split("\n[dependencies]\n", 1)[1].split("\n[", 1)[0]
    assert len(re.findall(r"^tokio = ", dependencies, re.MULTILINE)) == 1, edited
    tokio = tomllib.loads(edited)["dependencies"]["tokio"]
    assert tokio["workspace"] is True and "net" in tokio["features"] and "fs" in tokio["features"], tokio
    lib_manifest.write_text(generated, encoding="utf-8")
    # The five gates' commands 1-4, for the whole workspace from its root ...
    run(["cargo", "build", "--release"], root, env)
    run(["cargo", "clippy", "--all-targets", "--all-features", "--", "-D", "warnings"], root, env)
    run(["cargo", "fmt", "--check"], root, env)
    tested = run(["cargo", "test", "--all-features", "--no-fail-fast"], root, env)
    for name in kinds.values():  # every member's own tests ran, not only the existing crate's
        assert re.search(rf"Running unittests src/lib\.rs \(\S*/deps/{name.replace('-', '_')}-", tested.stderr), name
    # ... and through a member's own script, scoped to its package: with a lint and format error
    # in another member (that the workspace-wide commands do see), ws-cli's gates still pass.
    other = root / "crates" / "ws-mcp" / "src" / "lib.rs"
    clean = other.read_text(encoding="utf-8")
    other.write_text(
        clean + '\n/// Injected.\n#[must_use]\npub fn injected()->usize{ "1".parse::<usize>().unwrap() }\n',
        encoding="utf-8",
    )
    assert (
        subprocess.run(["cargo", "fmt", "--check"], cwd=root, env=env, capture_output=True, check=False).returncode != 0
    )
    for gate in ("build", "lint", "fmt"):
        run(["bash", "scripts/gates.sh", gate], root / "crates" / "ws-cli", env)
    other.write_text(clean, encoding="utf-8")
    commit_all(root, "three generated members")

    # Gate 5 in a member: the base is the whole workspace at `main`, benchmarked for this package;
    # 8 % more work in one of its hot paths fails, naming that benchmark.
    lib = root / "crates" / "ws-lib"
    document = lib / "src" / "document.rs"
    original = document.read_text(encoding="utf-8")
    git(root, "switch", "-q", "-c", "change")
    inject(lib, original, 20_000)  # about 60,000 instructions: some 20 %
    completed = gate_5(lib, BENCH_ARGS=f"{BRIEF} document/tokenize")
    assert completed.returncode == 1, completed.stdout[-3000:] + completed.stderr[-3000:]
    regressions = [name for name, (_, _, pct) in counts(completed).items() if pct > 5]
    assert regressions == [TARGET], completed.stdout
    assert "bench-gate/ws-lib/base-src/" in completed.stderr  # built inside the extracted workspace
    document.write_text(original, encoding="utf-8")
    git(root, "switch", "-q", "main")

    # The team's own dependency (where `cargo add` writes) and a policy bump in the template.
    member = lib
    manifest = tomlkit.parse((member / "Cargo.toml").read_text(encoding="utf-8"))
    manifest["dependencies"]["itoa"] = "1"
    (member / "Cargo.toml").write_text(tomlkit.dumps(manifest), encoding="utf-8")
    commit_all(root, "our dependency")
    bump_policy(template_repo, "thiserror", "2.0.21")

    root_before = (root / "Cargo.toml").read_text(encoding="utf-8")
    # ws-lib through its own update script (what the workspace's CI would call: update, gates 1-4
    # scoped to the package, one commit); the other two through plain `copier update`.
    script_env = {**env, **GIT_IDENTITY, "COPIER": str(Path(sys.executable).with_name("copier")), "CRATE_DIR": str(lib)}
    updated = run([sys.executable, "scripts/template_update.py"], lib, script_env)
    assert "committed the update to 1.1.0; gates 1-4: pass" in updated.stdout, updated.stdout
    assert git(root, "status", "--porcelain") == ""
    committed = git(root, "show", "--name-only", "--format=", "HEAD").split()
    # the member's files, the root's marked policy line the bump moved, and the workspace's lock
    # file the gates re-resolved for it
    assert "Cargo.toml" in committed and "Cargo.lock" in committed
    assert all(path.startswith("crates/ws-lib/") or path in ("Cargo.toml", "Cargo.lock") for path in committed)
    for name in ("ws-cli", "ws-mcp"):
        copier.run_update(
            root / "crates" / name,
            overwrite=True,
            defaults=True,
            skip_answered=True,
            unsafe=True,
            vcs_ref="1.1.0",
            quiet=True,
        )
    assert_no_conflicts(root)
    for name in kinds.values():
        crate = root / "crates" / name
        assert policy_table(crate)["thiserror"] == "2.0.21", name  # the migration moved the marked line
        assert "workspace" not in tomllib.loads((crate / "Cargo.toml").read_text(encoding="utf-8"))
        assert "_commit: 1.1.0\n" in (crate / ".copier-answers.yml").read_text(encoding="utf-8")
        assert "workspace_root: ../..\n" in (crate / ".copier-answers.yml").read_text(encoding="utf-8")
    assert tomllib.loads((member / "Cargo.toml").read_text(encoding="utf-8"))["dependencies"]["itoa"] == "1"
    # The root changed in the marked policy line only: the team's lines and comments are kept.
    bumped = root_before.replace(f'thiserror = "{policy_version("thiserror")}"', 'thiserror = "2.0.21"')
    assert bumped != root_before and (root / "Cargo.toml").read_text(encoding="utf-8") == bumped
    assert not any((root / "crates" / name / ".github").exists() for name in kinds.values())
    run(["cargo", "clippy", "--all-targets", "--all-features", "--", "-D", "warnings"], root, env)
