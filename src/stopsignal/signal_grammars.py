"""How each engine's parser reads a stop-signal string, reproduced exactly.

Every function returns the integer the engine's parser produces, or None when
it reports an error. They are pure and table-driven; the engines' stop
behaviour around them lives in ``stopsignal.runtimes``. The spec, with sources,
is research/runtime-semantics.md; research/signal-vectors.tsv is the test suite.
"""

from __future__ import annotations

from stopsignal.signals import CLASSIC, decimal

_GO_INT64 = 2**63


def go_upper(text: str) -> str:
    """Go's ``strings.ToUpper``: Unicode simple case mapping, one rune to one rune.

    Go engines really do read "\u017figterm" as SIGTERM (U+017F, long s, upper-cases
    to 'S'), but never expand a rune into several as ``str.upper`` does (U+FB06 -> 'ST').
    """
    if text.isascii():
        return text.upper()
    return "".join(upper if len(upper := char.upper()) == 1 else char for char in text)


def go_atoi(text: str) -> int | None:
    """Go's ``strconv.Atoi`` on 64-bit: optional sign, decimal digits, no spaces."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not (digits.isascii() and digits.isdigit()):
        return None
    magnitude = decimal(digits, max_digits=20)  # Go's int64 has 19 digits
    if magnitude is None:
        return None
    value = -magnitude if text.startswith("-") else magnitude
    return value if -_GO_INT64 <= value < _GO_INT64 else None


def _moby_map() -> dict[str, int]:
    # moby/sys signal/signal_linux.go: classic names, three aliases, and literal RT keys
    # RTMIN, RTMIN+1..RTMIN+15, RTMAX-14..RTMAX-1, RTMAX (34-based, as every Go engine).
    table = {name[3:]: num for num, name in CLASSIC.items()}
    table.update({"IOT": 6, "CLD": 17, "POLL": 29})
    table["RTMIN"] = 34
    table.update({f"RTMIN+{n}": 34 + n for n in range(1, 16)})
    table.update({f"RTMAX-{n}": 64 - n for n in range(1, 15)})
    table["RTMAX"] = 64
    return table


#: moby/sys ``SignalMap`` (also containers/common's copy); keys have no SIG prefix.
MOBY_SIGNAL_MAP: dict[str, int] = _moby_map()

#: golang.org/x/sys/unix ``SignalNum``: the 31 canonical names, SIG prefix required.
X_SYS_SIGNAL_NAMES: dict[str, int] = {name: num for num, name in CLASSIC.items()}


def parse_moby(text: str) -> int | None:
    """moby/sys ``signal.ParseSignal`` (Docker >= 1.10, BuildKit, containerd <= 1.2 and >= 1.6).

    Any integer Atoi accepts except 0 is returned unchanged (65, -15 included);
    otherwise upper-case, strip one ``SIG``, and look the rest up in the map.
    """
    number = go_atoi(text)
    if number is not None:
        return None if number == 0 else number
    return parse_crio_map(text)


def parse_moby_1_9(text: str) -> int | None:
    """Docker 1.9's map had only the classic names; RT keys came in 1.10 (moby d1ae13b0)."""
    number = parse_moby(text)
    if number is None or go_atoi(text) is not None:
        return number
    return number if number <= 31 else None


def parse_ccommon(text: str) -> int | None:
    """containers/common ``pkg/signal.ParseSignal``: copied from Docker, same grammar."""
    return parse_moby(text)


def parse_podman_name_or_number(text: str) -> int | None:
    """containers/common ``ParseSignalNameOrNumber``: strip one leading '-', then ParseSignal."""
    return parse_ccommon(text.removeprefix("-"))


def parse_x_sys_signalnum(text: str) -> int | None:
    """golang.org/x/sys/unix ``SignalNum``: exact ``SIGxxx`` names only, never numbers."""
    return X_SYS_SIGNAL_NAMES.get(text)


def parse_crio_signalnum_era(text: str) -> int | None:
    """CRI-O 1.18.0-1.22.1: ``unix.SignalNum(strings.ToUpper(s))`` (regression dbbfd786)."""
    return parse_x_sys_signalnum(go_upper(text))


def parse_crio_map(text: str) -> int | None:
    """Docker's map lookup, names only: how CRI-O <= 1.17 read STOPSIGNAL, and the name
    half of ``parse_moby``."""
    key = crio_map_key(text)
    return MOBY_SIGNAL_MAP[key] if key is not None else None


def crio_map_key(text: str) -> str | None:
    """Upper-case, strip one ``SIG``: the map key (CRI-O's map-name era passed it to
    ``runc kill`` as a name), or None when the map has no such key."""
    key = go_upper(text).removeprefix("SIG")
    return key if key in MOBY_SIGNAL_MAP else None


def parse_containerd_1_3(text: str) -> int | None:
    """containerd 1.3 (PR #3063): numbers must have a classic name; names via SignalNum."""
    number = go_atoi(text)
    if number is not None:
        return number if number in CLASSIC else None
    return parse_x_sys_signalnum(go_upper(text))


def parse_containerd_1_4(text: str) -> int | None:
    """containerd 1.4-1.5 (PR #4115): any integer, 0 included; names as in 1.3."""
    number = go_atoi(text)
    if number is not None:
        return number
    return parse_x_sys_signalnum(go_upper(text))


def parse_runc(text: str) -> int | None:
    """runc >= 1.0.0-rc91 ``kill``: any integer; names upper-cased, SIG added, SignalNum."""
    number = go_atoi(text)
    if number is not None:
        return number
    upper = go_upper(text)
    return parse_x_sys_signalnum(upper if upper.startswith("SIG") else "SIG" + upper)


def _kubernetes_linux_names() -> dict[str, int]:
    names = {name: num for num, name in CLASSIC.items()}
    names.update({"SIGIOT": 6, "SIGCLD": 17, "SIGPOLL": 29, "SIGRTMIN": 34, "SIGRTMAX": 64})
    names.update({f"SIGRTMIN+{n}": 34 + n for n in range(1, 16)})
    names.update({f"SIGRTMAX-{n}": 64 - n for n in range(1, 15)})
    return names


#: KEP-4960 ``lifecycle.stopSignal`` allow-list for Linux pods (65 values, exact spelling).
KUBERNETES_LINUX_STOP_SIGNALS: dict[str, int] = _kubernetes_linux_names()
#: The Windows allow-list.
KUBERNETES_WINDOWS_STOP_SIGNALS: dict[str, int] = {"SIGTERM": 15, "SIGKILL": 9}


def parse_kubernetes(text: str, *, os: str = "linux") -> int | None:
    """Kubernetes API validation of ``lifecycle.stopSignal``: exact upper-case SIG names."""
    table = KUBERNETES_WINDOWS_STOP_SIGNALS if os == "windows" else KUBERNETES_LINUX_STOP_SIGNALS
    return table.get(text)


def cri_enum_name(kubernetes_name: str) -> str:
    """The CRI ``Signal`` enum name the kubelet sends: ``SIGRTMIN+3`` -> ``SIGRTMINPLUS3``."""
    return kubernetes_name.replace("+", "PLUS").replace("-", "MINUS")
