# The AWS side of Portcullis: the ECS cluster that runs every deployment as a Fargate task,
# the runner task definition and its log group, the plan artifact bucket, and the executor's
# role (IRSA) with exactly the permissions the ECS backend and the S3 artifact store use. Every IAM
# document is a JSON file in policies/ (the deploy module's tests parse them).

provider "aws" {
  region = var.region

  default_tags {
    tags = merge({ "portcullis:component" = "runner" }, var.tags)
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id      = data.aws_caller_identity.current.account_id
  partition       = data.aws_partition.current.partition
  family          = "${var.name}-runner"
  container_name  = "runner"
  log_group_name  = "/${var.name}/runner"
  cluster_arn     = "arn:${local.partition}:ecs:${var.region}:${local.account_id}:cluster/${var.name}"
  log_group_arn   = "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:${local.log_group_name}"
  artifact_bucket = "${var.name}-artifacts-${local.account_id}-${var.region}"
}

resource "aws_ecs_cluster" "runner" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_cluster_capacity_providers" "runner" {
  cluster_name       = aws_ecs_cluster.runner.name
  capacity_providers = ["FARGATE"]
}

resource "aws_cloudwatch_log_group" "runner" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
}

# Plan artifacts: written once per run by the runner, read by the apply that names the plan,
# both through URLs the executor presigns; only the executor's role reaches the bucket.
resource "aws_s3_bucket" "artifacts" {
  bucket = local.artifact_bucket
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}

# --- the runner's execution role --------------------------------------------------------------

# What ECS itself uses to start a task: pull the runner image, write its log stream.
resource "aws_iam_role" "task_execution" {
  name = "${var.name}-runner-execution"
  assume_role_policy = templatefile("${path.module}/policies/ecs-tasks-trust.json.tftpl", {
    account_id = local.account_id
    partition  = local.partition
    region     = var.region
  })
}

resource "aws_iam_role_policy" "task_execution" {
  name = "pull-image-and-write-logs"
  role = aws_iam_role.task_execution.id
  policy = templatefile("${path.module}/policies/runner-execution.json.tftpl", {
    repository_arn = var.runner_ecr_repository_arn
    log_group_arn  = local.log_group_arn
  })
}

# The read-only git token, when there is one: ECS reads it with the execution role when it starts
# a task (the task itself holds no AWS credentials), and nothing else in AWS may.
resource "aws_iam_role_policy" "task_execution_git_token" {
  count = var.git_token_secret_arn == "" ? 0 : 1
  name  = "read-the-git-token"
  role  = aws_iam_role.task_execution.id
  policy = templatefile("${path.module}/policies/runner-git-token.json.tftpl", {
    git_token_secret_arn = var.git_token_secret_arn
  })
}

# --- the runner task definition --------------------------------------------------------------

# No task role: a task holds no AWS credentials of its own. It reaches its plan artifact only
# through the presigned URLs the executor signs with its own role (see below); the command's AWS
# access comes from Vault (the catalog's aws: grants), as environment variables.
resource "aws_ecs_task_definition" "runner" {
  family                   = local.family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.runner_cpu
  memory                   = var.runner_memory
  execution_role_arn       = aws_iam_role.task_execution.arn

  ephemeral_storage {
    size_in_gib = var.runner_ephemeral_storage_gib
  }

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = "work"
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([{
    name                   = local.container_name
    image                  = var.runner_image
    essential              = true
    user                   = "65532:65532"
    readonlyRootFilesystem = true
    privileged             = false
    # no init process: the runner is PID 1, so when it re-executes itself without the git
    # credential, /proc/1/environ no longer holds it either
    linuxParameters = {
      initProcessEnabled = false
      capabilities       = { drop = ["ALL"] }
    }
    # the clone's read-only token (runner/portcullis-runner): injected by ECS, never in the task
    # definition or an override, and dropped by the runner before any repository code runs
    secrets = var.git_token_secret_arn == "" ? [] : [
      { name = "PORTCULLIS_GIT_TOKEN", valueFrom = var.git_token_secret_arn },
    ]
    mountPoints = [
      { sourceVolume = "work", containerPath = "/work", readOnly = false },
      { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
    ]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.runner.name
        awslogs-region        = var.region
        awslogs-stream-prefix = var.log_stream_prefix
      }
    }
  }])
}

# --- the executor's role (IRSA) --------------------------------------------------------------

resource "aws_iam_role" "executor" {
  name = "${var.name}-executor"
  assume_role_policy = templatefile("${path.module}/policies/executor-trust.json.tftpl", {
    oidc_provider_arn = var.eks_oidc_provider_arn
    oidc_issuer       = var.eks_oidc_issuer
    namespace         = var.executor_namespace
    service_account   = var.executor_service_account
  })
}

resource "aws_iam_role_policy" "executor" {
  name = "run-runner-tasks"
  role = aws_iam_role.executor.id
  policy = templatefile("${path.module}/policies/executor.json.tftpl", {
    partition      = local.partition
    region         = var.region
    account_id     = local.account_id
    cluster_name   = aws_ecs_cluster.runner.name
    cluster_arn    = aws_ecs_cluster.runner.arn
    family         = local.family
    log_group_arn  = local.log_group_arn
    pass_role_arns = jsonencode([aws_iam_role.task_execution.arn])
    # the executor's artifact store: keys PREFIX RUN_ID/PATH (portcullis.executor.artifacts.s3-prefix)
    artifact_objects_arn = "${aws_s3_bucket.artifacts.arn}/${var.artifact_prefix}*"
  })
}

# --- the runner's network --------------------------------------------------------------------

# Nothing may connect to a runner; it may reach HTTPS only (git host, Terraform registry and
# providers, AWS APIs through the subnets' NAT or VPC endpoints).
resource "aws_security_group" "runner" {
  name        = "${var.name}-runner"
  description = "Portcullis runner tasks: no ingress, HTTPS egress"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_egress_rule" "runner_https" {
  security_group_id = aws_security_group.runner.id
  description       = "HTTPS"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}
