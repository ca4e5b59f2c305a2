#!/usr/bin/env bash
# Regenerates the Terraform plan JSON fixtures in this directory from real `terraform plan` runs.
# Needs only `terraform` (1.x) and python3: every scenario uses the built-in `terraform_data`
# resource and `terraform_remote_state` data source with a local backend, so nothing is downloaded.
#
#   executor-service/src/test/resources/dev/portcullis/executor/plan/generate-fixtures.sh
#
# Each scenario applies a "before" configuration (if any), writes the "after" configuration, runs
# `terraform plan -out=plan.bin` and keeps `terraform show -json plan.bin`, re-indented for review.
# Two fixtures are hand-edited copies, marked by their names (*.hand-edited.json); see README.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
export TF_CLI_CONFIG_FILE=/dev/null TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tf() { terraform "$@" -no-color >/dev/null; }

# scenario NAME BEFORE_HCL AFTER_HCL [HOOK]: HOOK runs in the scenario's directory before the plan
scenario() {
    local name=$1 before=$2 after=$3 hook=${4:-}
    local dir=$work/$name
    mkdir -p "$dir"
    (
        cd "$dir"
        printf 'terraform {\n  backend "local" {}\n}\n' > backend.tf
        tf init
        if [ -n "$before" ]; then
            printf '%s\n' "$before" > main.tf
            tf apply -auto-approve
        fi
        printf '%s\n' "$after" > main.tf
        if [ -n "$hook" ]; then "$hook"; fi
        tf plan -out=plan.bin
        terraform show -json -no-color plan.bin | python3 -m json.tool --indent 1 > "$here/$name.json"
    )
    echo "wrote $name.json"
}

scenario create '' '
resource "terraform_data" "web" {
  input = "web-v1"
}
resource "terraform_data" "db" {
  input = "db-v1"
}'

scenario update '
resource "terraform_data" "web" {
  input = "web-v1"
}' '
resource "terraform_data" "web" {
  input = "web-v2"
}'

scenario delete '
resource "terraform_data" "web" {
  input = "web-v1"
}
resource "terraform_data" "legacy" {
  input = "legacy"
}' '
resource "terraform_data" "web" {
  input = "web-v1"
}'

# a triggers_replace change cannot be applied in place: delete, then create
scenario replace '
resource "terraform_data" "db" {
  triggers_replace = "engine-14"
}' '
resource "terraform_data" "db" {
  triggers_replace = "engine-15"
}'

scenario create-before-destroy '
resource "terraform_data" "lb" {
  triggers_replace = "cert-2024"
  lifecycle {
    create_before_destroy = true
  }
}' '
resource "terraform_data" "lb" {
  triggers_replace = "cert-2025"
  lifecycle {
    create_before_destroy = true
  }
}'

scenario no-op '
resource "terraform_data" "web" {
  input = "web-v1"
}
output "web" {
  value = terraform_data.web.output
}' '
resource "terraform_data" "web" {
  input = "web-v1"
}
output "web" {
  value = terraform_data.web.output
}'

# a data source whose dependency has a pending change is read during apply: ["read"] in the plan
other_state() { printf '{"version":4,"terraform_version":"1.11.4","serial":1,"lineage":"fixture","outputs":{},"resources":[]}\n' > other.tfstate; }
scenario data-source '' '
resource "terraform_data" "network" {
  input = "10.0.0.0/16"
}
data "terraform_remote_state" "shared" {
  backend    = "local"
  config     = { path = "${path.module}/other.tfstate" }
  depends_on = [terraform_data.network]
}' other_state

scenario import '' '
import {
  to = terraform_data.adopted
  id = "existing-object-id"
}
resource "terraform_data" "adopted" {
}
import {
  to = terraform_data.adopted_and_changed
  id = "another-object-id"
}
resource "terraform_data" "adopted_and_changed" {
  input = "now-managed"
}'

scenario moved '
resource "terraform_data" "old_name" {
  input = "kept"
}' '
resource "terraform_data" "new_name" {
  input = "kept"
}
moved {
  from = terraform_data.old_name
  to   = terraform_data.new_name
}'

scenario outputs '
resource "terraform_data" "web" {
  input = "web-v1"
}
output "endpoint" {
  value = "https://old.example.test"
}
output "unchanged" {
  value = "same"
}
output "retired" {
  value = "going"
}' '
resource "terraform_data" "web" {
  input = "web-v1"
}
output "endpoint" {
  value = "https://new.example.test"
}
output "unchanged" {
  value = "same"
}
output "added" {
  value = "new"
}'

# the secrets below are what SensitiveValues tests look for in the summary: they must not appear
scenario sensitive '
variable "db_password" {
  type      = string
  sensitive = true
  default   = "OLD-hunter2-sensitive-input"
}
resource "terraform_data" "db" {
  input = var.db_password
}
output "connection_string" {
  value     = "postgres://app:${var.db_password}@db.internal/app"
  sensitive = true
}' '
variable "db_password" {
  type      = string
  sensitive = true
  default   = "NEW-correct-horse-sensitive-input"
}
resource "terraform_data" "db" {
  input = var.db_password
}
output "connection_string" {
  value     = "postgres://app:${var.db_password}@db.internal/app"
  sensitive = true
}'

taint_app() { tf taint terraform_data.app; }
scenario mixed '
resource "terraform_data" "web" {
  input = "web-v1"
}
resource "terraform_data" "app" {
  input = "app-v1"
}
resource "terraform_data" "db" {
  triggers_replace = "engine-14"
}
resource "terraform_data" "lb" {
  triggers_replace = "cert-2024"
  lifecycle {
    create_before_destroy = true
  }
}
resource "terraform_data" "legacy" {
  input = "legacy"
}
resource "terraform_data" "cache" {
  input = "cache-v1"
}
resource "terraform_data" "queue_old" {
  input = "queue"
}
output "endpoint" {
  value = "https://old.example.test"
}' '
resource "terraform_data" "web" {
  input = "web-v2"
}
resource "terraform_data" "app" {
  input = "app-v1"
}
resource "terraform_data" "db" {
  triggers_replace = "engine-15"
}
resource "terraform_data" "lb" {
  triggers_replace = "cert-2025"
  lifecycle {
    create_before_destroy = true
  }
}
resource "terraform_data" "cache" {
  input = "cache-v1"
}
resource "terraform_data" "queue" {
  input = "queue"
}
moved {
  from = terraform_data.queue_old
  to   = terraform_data.queue
}
resource "terraform_data" "worker" {
  input = "worker-v1"
}
output "endpoint" {
  value = "https://new.example.test"
}' taint_app

# Terraform reports drift when a refresh changes an object; terraform_data reads back exactly what
# the state holds, so the built-in resources cannot drift. This scenario edits the state
# out-of-band (a real plan, real update), then the resource_drift entry is added by hand below.
edit_state() {
    python3 - <<'PY'
import json
state = json.load(open("terraform.tfstate"))
for resource in state["resources"]:
    if resource["name"] == "web":
        attributes = resource["instances"][0]["attributes"]
        attributes["input"] = {"value": "changed-by-hand", "type": "string"}
        attributes["output"] = {"value": "changed-by-hand", "type": "string"}
state["serial"] += 1
json.dump(state, open("terraform.tfstate", "w"), indent=1)
PY
}
scenario drift '
resource "terraform_data" "web" {
  input = "web-v1"
}
resource "terraform_data" "worker" {
  input = "worker-v1"
}' '
resource "terraform_data" "web" {
  input = "web-v1"
}
resource "terraform_data" "worker" {
  input = "worker-v1"
}' edit_state

python3 - "$here" <<'PY'
import json, sys
here = sys.argv[1]

# drift.hand-edited.json: the real drift plan plus the resource_drift entry Terraform writes when a
# refresh finds an object changed (same shape as resource_changes; documented in Terraform's
# "JSON Output Format": resource_drift), and one for an object deleted outside Terraform
plan = json.load(open(f"{here}/drift.json"))
web = next(c for c in plan["resource_changes"] if c["address"] == "terraform_data.web")
worker_id = next(r["values"]["id"] for r in plan["prior_state"]["values"]["root_module"]["resources"]
                 if r["address"] == "terraform_data.worker")
plan["resource_drift"] = [
    {"address": "terraform_data.web", "mode": "managed", "type": "terraform_data", "name": "web",
     "provider_name": "terraform.io/builtin/terraform",
     "change": {"actions": ["update"],
                "before": dict(web["change"]["before"], input="web-v1", output="web-v1"),
                "after": web["change"]["before"],
                "after_unknown": {}, "before_sensitive": {}, "after_sensitive": {}}},
    {"address": "terraform_data.worker", "mode": "managed", "type": "terraform_data", "name": "worker",
     "provider_name": "terraform.io/builtin/terraform",
     "change": {"actions": ["delete"],
                "before": {"id": worker_id, "input": "worker-v1", "output": "worker-v1", "triggers_replace": None},
                "after": None, "after_unknown": {}, "before_sensitive": {}, "after_sensitive": False}},
]
json.dump(plan, open(f"{here}/drift.hand-edited.json", "w"), indent=1)

# future-format.hand-edited.json: a real plan claiming a format major this reader does not know
plan = json.load(open(f"{here}/create.json"))
plan["format_version"] = "2.0"
json.dump(plan, open(f"{here}/future-format.hand-edited.json", "w"), indent=1)
PY
rm "$here/drift.json"
echo "wrote drift.hand-edited.json future-format.hand-edited.json"
