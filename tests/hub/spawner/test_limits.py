"""Workspace cgroups are named per campus, so campuses on one host never touch each other's."""

from __future__ import annotations

from hub.spawner import limits


def test_group_names_differ_between_campuses_and_share_a_prefix_within_one(tmp_path):
    one, other = tmp_path / "one", tmp_path / "other"
    assert limits.group_name(one, "alice") != limits.group_name(other, "alice")
    assert limits.group_name(one, "alice").startswith(limits.group_name(one, ""))
    assert limits.group_name(one, "alice") == limits.group_name(tmp_path / "x" / ".." / "one", "alice")


def test_cleanup_removes_only_its_own_campus_groups(tmp_path):
    root = tmp_path / "cgroup"
    mine, theirs = limits.group_name(tmp_path / "mine", "alice"), limits.group_name(tmp_path / "theirs", "alice")
    for controller in ("memory", "pids", "cpu"):
        for name in (mine, theirs):
            (root / controller / limits.GROUP_PARENT / name).mkdir(parents=True)
    limits.remove_all(limits.group_name(tmp_path / "mine", ""), root=root)
    for controller in ("memory", "pids", "cpu"):
        assert sorted(p.name for p in (root / controller / limits.GROUP_PARENT).iterdir()) == [theirs]
