# DEMO ONLY: the demo app of Portcullis dev mode in @ENVIRONMENT@, as @TOOL_NAME@ configuration
# using only the built-in terraform_data resource: it plans and applies for real and offline, and
# changes nothing but its state file, which dev mode keeps in its data directory
# (terraform-state/FOLDER/terraform.tfstate, passed by the catalog's init step).
terraform {
  backend "local" {}
}

variable "environment" {
  type = string
}

locals {
  replicas = @REPLICAS@
  image    = "demo-app:@VERSION@"
}

# stands in for the app's deployment: a changed input is an update in place
resource "terraform_data" "app" {
  input = {
    environment = var.environment
    image       = local.image
    replicas    = local.replicas
  }
}

# stands in for a resource that cannot be changed in place: a new image replaces it
resource "terraform_data" "release" {
  triggers_replace = [local.image]
  input            = "release of ${local.image} to ${var.environment}"
}

output "image" {
  value = local.image
}
