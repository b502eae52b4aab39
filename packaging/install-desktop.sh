#!/usr/bin/env bash
# Adds tlgui to a Linux desktop's application menu: the .desktop entry, the AppStream metainfo
# and the icon at every size, under PREFIX/share (default ~/.local, just for this user).
#
#   bash packaging/install-desktop.sh [--prefix DIR] [--exec COMMAND]
#
# --exec: what the menu entry runs (default: tlgui, found on PATH); for the built app, e.g.
# --exec "$PWD/dist/tlgui/tlgui". Removing the files it lists undoes it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${HOME}/.local"
exec_cmd="tlgui"
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="$2"; shift 2 ;;
        --exec) exec_cmd="$2"; shift 2 ;;
        *) echo "install-desktop.sh: unknown option $1 (--prefix DIR, --exec COMMAND)" >&2; exit 2 ;;
    esac
done

share="${prefix}/share"
mkdir -p "${share}/applications" "${share}/metainfo"
sed -e "s|^Exec=.*|Exec=${exec_cmd}|" -e "s|^TryExec=.*|TryExec=${exec_cmd%% *}|" \
    "${here}/resources/tlgui.desktop" > "${share}/applications/tlgui.desktop"
echo "${share}/applications/tlgui.desktop"
cp "${here}/resources/io.github.tlgui.tlgui.metainfo.xml" "${share}/metainfo/"
echo "${share}/metainfo/io.github.tlgui.tlgui.metainfo.xml"
for png in "${here}"/tlgui/resources/icons/hicolor/*/apps/tlgui.png; do
    size="$(basename "$(dirname "$(dirname "${png}")")")"
    mkdir -p "${share}/icons/hicolor/${size}/apps"
    cp "${png}" "${share}/icons/hicolor/${size}/apps/tlgui.png"
    echo "${share}/icons/hicolor/${size}/apps/tlgui.png"
done
# Menus pick the entry up by themselves; these refresh the caches where the tools exist.
command -v update-desktop-database >/dev/null && update-desktop-database -q "${share}/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "${share}/icons/hicolor" || true
