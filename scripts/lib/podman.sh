# podman as the image scripts run it (sourced by scripts/build-images and scripts/images-smoke).
# CRM_CONTAINERS_CONF names another containers.conf (an empty value keeps podman's own).
export CONTAINERS_CONF=${CRM_CONTAINERS_CONF-$PWD/deploy/podman/containers.conf}
[ -n "$CONTAINERS_CONF" ] || unset CONTAINERS_CONF
# The images' tag prefix and the base the runtime stages start from.
images_prefix=${CRM_IMAGE_PREFIX:-localhost/crm}
base_image=${CRM_BASE_IMAGE:-localhost/debian-base:bookworm}
