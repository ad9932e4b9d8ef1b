"""One answer to "what does PID 1's environment hold for this variable", for lint and probe."""

from __future__ import annotations

import pytest

from stopsignal.runtimes.environment import EnvSetting, env_setting, split_items

IMAGE = (("PATH", "/usr/bin"), ("container", "docker"))


@pytest.mark.parametrize(("container_env", "image_env", "complete", "expected"), [
    ((), IMAGE, True, EnvSetting("docker", "image ENV")),
    ((("container", "oci"),), IMAGE, True, EnvSetting("oci", "container env")),
    # Set empty by the container: it still decides ("not in a container" for systemd).
    ((("container", ""),), IMAGE, True, EnvSetting("", "container env")),
    # Repeated entries: the last one wins, in the container's env and in the image's ENV.
    ((("container", ""), ("container", "oci")), (), True, EnvSetting("oci", "container env")),
    ((), (("container", "a"), ("container", "")), True, EnvSetting("", "image ENV")),
    ((("TZ", "UTC"),), (("PATH", "/bin"),), True, EnvSetting(None, "")),
    # An image lint has not seen, or whose base it has not seen, may set it.
    ((("TZ", "UTC"),), None, True, EnvSetting(None, "", known=False)),
    ((), (("PATH", "/bin"),), False, EnvSetting(None, "", known=False)),
    ((), IMAGE, False, EnvSetting("docker", "image ENV")),  # its own ENV is over the base's
    ((("container", "oci"),), None, False, EnvSetting("oci", "container env")),
])
def test_the_container_env_over_the_image_env(
        container_env: tuple[tuple[str, str], ...], image_env: tuple[tuple[str, str], ...] | None,
        complete: bool, expected: EnvSetting) -> None:
    assert env_setting("container", container_env, image_env,
                       image_complete=complete) == expected


@pytest.mark.parametrize(("setting", "non_empty"), [
    (EnvSetting("oci", "container env"), True),
    (EnvSetting("", "image ENV"), False),
    (EnvSetting(None, ""), False),
    (EnvSetting(None, "", known=False), None),
])
def test_non_empty_says_unknown_only_when_it_is(setting: EnvSetting,
                                                non_empty: bool | None) -> None:
    assert setting.non_empty is non_empty


def test_image_config_items() -> None:
    assert split_items(["PATH=/usr/bin", "OPTS=a=b", "container="]) == (
        ("PATH", "/usr/bin"), ("OPTS", "a=b"), ("container", ""))
    assert env_setting("OPTS", (), split_items(["OPTS=a=b"])).value == "a=b"
