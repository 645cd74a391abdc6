"""Every file of the shared corpus for the supported platforms is audited without an exception:
configs that cannot be understood become `error` verdicts with a reason, and no check crashes."""

from __future__ import annotations

import pytest
from conftest import CORPORA

from auditor.catalogue import Catalogue
from auditor.collect import FileSource
from auditor.models import HostInfo, Status
from auditor.platforms import known_platforms
from auditor.policy import Policy
from auditor.runner import audit_host
from bench.common import CORPUS_PLATFORMS, HOST_DATA

FOLDERS = [f for f, p in CORPUS_PLATFORMS.items() if p in known_platforms() and (CORPORA / f).is_dir()]
# At most this share of a platform's corpus files may be refused as unparsable.
MAX_ERROR_SHARE = 0.01

if not FOLDERS:
    pytest.skip("the shared corpus is not beside this checkout", allow_module_level=True)


@pytest.mark.parametrize("folder", FOLDERS)
def test_corpus_audits_without_exception(folder: str, policy: Policy, catalogue: Catalogue) -> None:
    platform = CORPUS_PLATFORMS[folder]
    files = sorted(p for p in (CORPORA / folder).iterdir() if p.is_file())
    source = FileSource({p.name: p for p in files})
    errors: list[str] = []
    for role in ("wan-edge", "access"):
        for path in files:
            host = HostInfo(path.name, platform, {**HOST_DATA, "role": role})
            result = audit_host(host, source, policy, catalogue)
            if not result.ok:
                assert result.error, path.name
                errors.append(f"{path.name}: {result.error}")
                continue
            crashed = [f"{f.rule}: {f.message}" for f in result.findings if f.status == Status.ERROR]
            assert not crashed, (path.name, crashed)
            assert all(v.status != Status.ERROR for v in result.controls), (
                path.name, [v for v in result.controls if v.status == Status.ERROR])
    share = len(set(errors)) / (2 * len(files))
    assert share <= MAX_ERROR_SHARE, errors

