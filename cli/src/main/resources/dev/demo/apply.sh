# DEMO ONLY: the `apply` command of Portcullis dev mode's demo repository, standing in for
# `terraform apply PLAN`. It prints the plan it applies. Nothing real is changed.
# Run as: sh apply.sh PLAN_FILE
set -eu
plan="${1:?usage: sh apply.sh PLAN_FILE}"
echo "demo apply of ${plan} (DEMO ONLY: nothing real is changed):"
cat "${plan}"
echo "Apply complete: $(grep -c '^~' "${plan}") setting(s) changed."
