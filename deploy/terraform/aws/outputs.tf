# The Helm chart's values (deploy/helm/portcullis, keys ecs.*, executor.roleArn and executor.artifacts.*).

output "ecs_cluster" {
  description = "ecs.cluster"
  value       = aws_ecs_cluster.runner.name
}

output "ecs_task_definition" {
  description = "ecs.taskDefinition: family:revision, pinned"
  value       = "${aws_ecs_task_definition.runner.family}:${aws_ecs_task_definition.runner.revision}"
}

output "ecs_container_name" {
  description = "ecs.containerName"
  value       = local.container_name
}

output "ecs_log_group" {
  description = "ecs.logGroup"
  value       = aws_cloudwatch_log_group.runner.name
}

output "ecs_log_stream_prefix" {
  description = "ecs.logStreamPrefix"
  value       = var.log_stream_prefix
}

output "executor_role_arn" {
  description = "executor.roleArn (the IRSA annotation of the executor's service account)"
  value       = aws_iam_role.executor.arn
}

output "artifact_bucket" {
  description = "executor.artifacts.s3Bucket: the plan artifact bucket"
  value       = aws_s3_bucket.artifacts.bucket
}

output "artifact_prefix" {
  description = "executor.artifacts.s3Prefix: the key prefix the executor's role reaches"
  value       = var.artifact_prefix
}

output "artifact_region" {
  description = "executor.artifacts.s3Region: the bucket's region"
  value       = var.region
}

output "runner_security_group_id" {
  description = "ecs.securityGroups (with ecs.subnets: your private subnets of vpc_id)"
  value       = aws_security_group.runner.id
}

output "executor_vault_policy" {
  description = "The executor's Vault policy (vault/executor.hcl.tftpl) for these environments"
  value = templatefile("${path.module}/vault/executor.hcl.tftpl", {
    environments = sort(tolist(var.environments))
    kv_mount     = var.vault_kv_mount
    aws_mount    = var.vault_aws_mount
    aws_roles    = sort(tolist(var.vault_aws_roles))
  })
}
