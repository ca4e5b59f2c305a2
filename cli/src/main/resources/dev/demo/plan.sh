# DEMO ONLY: the `plan` command of Portcullis dev mode's demo repository, standing in for
# `terraform plan`. It reads desired.conf, writes the plan to plan.out and prints it. Nothing real
# is planned or changed. Run as: sh plan.sh ENVIRONMENT
set -eu
environment="${1:?usage: sh plan.sh ENVIRONMENT}"
echo "demo plan for environment ${environment} (DEMO ONLY: nothing real is planned or changed)"
{
  echo "# demo plan for ${environment}"
  while IFS= read -r setting || [ -n "${setting}" ]; do
    case "${setting}" in
      '' | '#'*) ;;
      *) echo "~ ${setting}" ;;
    esac
  done < desired.conf
} > plan.out
cat plan.out
echo "Plan: $(grep -c '^~' plan.out) setting(s) to change, saved to plan.out."
