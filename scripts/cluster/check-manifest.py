#!/usr/bin/env python3
"""Checks scripts/cluster/tune-indexed-job.yaml without a cluster: it parses as YAML, is an
Indexed Job whose completions, parallelism and SHARDS agree and whose pods compute shard
JOB_COMPLETION_INDEX+1, and the merge Job in its comments parses too. (kubectl needs an API
server even for --dry-run=client; the schema check, done by hand, is
`pip install kubernetes-validate; kubernetes-validate --strict FILE`.)

    python3 scripts/cluster/check-manifest.py [scripts/cluster/tune-indexed-job.yaml]
"""
import re
import sys

import yaml

path = sys.argv[1] if len(sys.argv) > 1 else "scripts/cluster/tune-indexed-job.yaml"
text = open(path).read()
job = yaml.safe_load(text)
spec = job["spec"]
assert job["apiVersion"] == "batch/v1" and job["kind"] == "Job", job
assert spec["completionMode"] == "Indexed", spec
assert spec["completions"] == spec["parallelism"], "completions and parallelism differ"
container = spec["template"]["spec"]["containers"][0]
environment = {variable["name"]: variable["value"] for variable in container["env"]}
assert int(environment["SHARDS"]) == spec["completions"], "SHARDS differs from completions"
script = container["args"][0]
assert "I=$((JOB_COMPLETION_INDEX + 1))" in script, "the shard index is not JOB_COMPLETION_INDEX+1"
assert '--shard "$I/$SHARDS"' in script and '--database "/work/shard-$I.db"' in script, script
claims = [volume["persistentVolumeClaim"]["claimName"] for volume in spec["template"]["spec"]["volumes"]]
assert claims == ["shrink-tune"], claims

# The merge Job shown in the comments: the "#   " lines after "with merge-job.yaml:".
block = re.search(r"# with merge-job\.yaml:\n#\n((?:#   .*\n)+)", text)
assert block, "no merge Job in the comments"
merge = yaml.safe_load("\n".join(line[4:] for line in block.group(1).splitlines()))
assert merge["kind"] == "Job", merge
command = merge["spec"]["template"]["spec"]["containers"][0]["command"][-1]
assert command.startswith("shrink results merge /work/merged.db /work/shard-"), command
print(f"{path}: an Indexed Job of {spec['completions']} shards and its merge Job parse and agree")
