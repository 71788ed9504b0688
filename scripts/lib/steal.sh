# Sourced by the bench scripts. On a virtual machine the host may take CPU time from this
# guest ("steal" in /proc/stat); figures measured meanwhile say more about the neighbours
# than about this code, so each bench prints how much was stolen while it ran.
steal_mark() { awk '/^cpu /{print $9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
# steal_report "<mark>": the share of CPU time the host took since the mark.
steal_report() {
  local mark=$1
  read -r steal0 total0 <<<"$mark"
  read -r steal1 total1 <<<"$(steal_mark)"
  awk -v s=$((steal1 - steal0)) -v t=$((total1 - total0)) \
    'BEGIN { share = (t > 0) ? 100 * s / t : 0; note = (share > 5) ? " — figures are not comparable with a quiet machine" : ""; printf "CPU taken by the host (steal) during the run: %.1f %%%s\n", share, note }'
}
