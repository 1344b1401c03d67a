# The Terraform provider for the Cloudsmith v1 API, built from the Go module proxy for the
# Terraform suite (test/terraform/), pinned, and cached in $AIRLOCK_TOOLS. Terraform finds it
# through dev_overrides (no registry, no init). Terraform itself is the machine's binary.
# Where the provider cannot be built (no Go, or a proxy that will not serve the module) this says
# so and the suite is left out; test/server/terraform-contract.test.ts still holds the contract.
tf_provider_version=v0.0.82
tf_provider_dir="$AIRLOCK_TOOLS/terraform-provider/$tf_provider_version"
if [ ! -x "$tf_provider_dir/terraform-provider-cloudsmith" ]; then
  if ! command -v go >/dev/null; then
    echo "terraform-provider: no Go toolchain, so the Terraform suite is left out"
  elif ! CGO_ENABLED=0 GOBIN="$tf_provider_dir" go install -trimpath \
    "github.com/cloudsmith-io/terraform-provider-cloudsmith@$tf_provider_version"; then
    echo "terraform-provider: could not build $tf_provider_version from the Go module proxy, so the Terraform suite is left out"
  fi
fi
if [ -x "$tf_provider_dir/terraform-provider-cloudsmith" ]; then
  export AIRLOCK_TF_PROVIDER_DIR="$tf_provider_dir"
fi
if command -v terraform >/dev/null; then
  AIRLOCK_TERRAFORM="$(command -v terraform)"
  export AIRLOCK_TERRAFORM
else
  echo "terraform-provider: no terraform on the PATH, so the Terraform suite is left out"
fi
