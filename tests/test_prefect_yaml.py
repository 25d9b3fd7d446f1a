"""prefect.yaml: every entrypoint imports, and every deployment's parameters fit its flow's signature."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "prefect.yaml"


def _deployments() -> list[dict[str, Any]]:
    return list(yaml.safe_load(PROJECT.read_text(encoding="utf-8"))["deployments"])


def test_the_four_deployments_are_declared_with_shared_definitions() -> None:
    text = PROJECT.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert [d["name"] for d in data["deployments"]] == ["ingest", "digest", "backfill", "replay"]
    assert "definitions" in data
    # the pool and the limit are written once and referenced by anchor
    assert text.count("*local_pool") == 4 and text.count("*one_run_at_a_time") == 4
    assert text.count("name: storywatch\n") == 2  # project name + the pool's name, nowhere else
    by_name = {d["name"]: d for d in data["deployments"]}
    assert by_name["ingest"]["schedules"][0]["cron"] == "*/15 * * * *"
    assert by_name["ingest"]["schedules"][0]["timezone"]
    assert by_name["digest"]["schedules"][0]["cron"]
    assert not by_name["backfill"]["schedules"] and not by_name["replay"]["schedules"]
    for d in data["deployments"]:
        assert d["concurrency_limit"] == {"limit": 1, "collision_strategy": "CANCEL_NEW"}
        assert d["work_pool"]["name"] == "storywatch"


@pytest.mark.parametrize("spec", _deployments(), ids=lambda d: d["name"])
def test_deployment_parameters_match_the_flow_signature(spec: dict[str, Any]) -> None:
    from prefect.client.schemas.objects import ConcurrencyLimitConfig
    from prefect.schedules import Cron
    from prefect.utilities.callables import parameter_schema
    from prefect.utilities.schema_tools.validation import validate

    from flows.deployments import load_entrypoint

    file = spec["entrypoint"].partition(":")[0]
    assert (ROOT / file).is_file(), f"{spec['entrypoint']}: no such file"
    flow = load_entrypoint(spec["entrypoint"])
    assert flow.name == spec["name"]
    schema = parameter_schema(flow.fn).model_dump(mode="json")
    params = spec.get("parameters") or {}
    unknown = set(params) - set(schema["properties"])
    assert not unknown, f"{spec['name']}: parameters not in the flow's signature: {unknown}"
    missing = set(schema.get("required", [])) - set(params)
    assert not missing, f"{spec['name']}: required parameters not given: {missing}"
    validate(params, schema, raise_on_error=True, preprocess=True, ignore_required=False)
    for sched in spec.get("schedules") or []:
        Cron(sched["cron"], timezone=sched["timezone"])
    ConcurrencyLimitConfig(**spec["concurrency_limit"])


def test_a_wrong_parameter_type_is_caught_by_the_same_check() -> None:
    from prefect.utilities.callables import parameter_schema
    from prefect.utilities.schema_tools.validation import ValidationError, validate

    from flows.ingest import ingest

    schema = parameter_schema(ingest.fn).model_dump(mode="json")
    with pytest.raises(ValidationError):
        validate({"sources": "not-a-list"}, schema, raise_on_error=True, preprocess=True, ignore_required=False)


def test_serve_builds_the_same_deployments_from_the_file() -> None:
    from flows.deployments import runner_deployments

    deps = {d.name: d for d in runner_deployments(ingest_cron="*/5 * * * *", timezone="Europe/Berlin")}
    assert set(deps) == {"ingest", "digest", "backfill", "replay"}
    ingest = deps["ingest"]
    assert ingest.schedules[0].schedule.cron == "*/5 * * * *"
    assert ingest.schedules[0].schedule.timezone == "Europe/Berlin"
    assert ingest.concurrency_limit == 1
    assert ingest.concurrency_options.collision_strategy.value == "CANCEL_NEW"
    assert deps["backfill"].schedules == [] and deps["replay"].parameters == {"deliver": False}
