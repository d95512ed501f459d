# Sourced by the set-up scripts: Debian packages, installed only when missing.
# The sourcing script defines log().

apt_updated=0

# ensure_debs PKG...: installs the packages that are not installed yet
# (apt-get update first, once); fails without root when any is missing.
ensure_debs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	if [ ${#missing[@]} = 0 ]; then
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		log "need root to install Debian packages: ${missing[*]}"
		return 1
	fi
	log "installing Debian packages: ${missing[*]}"
	if [ "$apt_updated" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}
