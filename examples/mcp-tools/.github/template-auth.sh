# shellcheck shell=bash
# Sourced by .github/workflows/template-update.yml when the secret TEMPLATE_READ_TOKEN is set: git
# (copier's clone of the template, scripts/template_update.py's ls-remote and clones) then reads a
# private template repository. The token travels in an HTTP header for the template's URL only,
# through git's environment (GIT_CONFIG_*): nothing is written to a git config file.
template_url=$(python3 -c 'import yaml; print(yaml.safe_load(open(".copier-answers.yml", encoding="utf-8"))["_src_path"])')
case "$template_url" in
  gh:*) template_url="https://github.com/${template_url#gh:}" ;;
  gl:*) template_url="https://gitlab.com/${template_url#gl:}" ;;
esac
case "$template_url" in
  https://*)
    template_url="${template_url%.git}"
    template_auth=$(printf 'x-access-token:%s' "$TEMPLATE_READ_TOKEN" | base64 | tr -d '\n')
    if [ -n "${GITHUB_ACTIONS:-}" ]; then echo "::add-mask::$template_auth"; fi
    export GIT_CONFIG_COUNT=2 \
      GIT_CONFIG_KEY_0="http.$template_url.extraheader" GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $template_auth" \
      GIT_CONFIG_KEY_1="http.$template_url.git.extraheader" GIT_CONFIG_VALUE_1="AUTHORIZATION: basic $template_auth"
    unset template_auth
    ;;
  *) echo "template-auth.sh: the template ($template_url) is no https URL; TEMPLATE_READ_TOKEN is not used" >&2 ;;
esac
