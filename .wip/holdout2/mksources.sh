#!/usr/bin/env bash
# regenerate SOURCES from corpus/, repos.txt and counted.txt (made by select.py)
# KIND CORPUS-PATH REPOSITORY PATH-IN-REPOSITORY COMMIT LICENCE; COMMIT is the
# last commit of the snapshot that touched the file.
H=$(cd "$(dirname "$0")" && pwd); C=$H/corpus; M=/work/.mirror
{
cat <<'X'
# holdout2 corpus: real public playbooks, roles and task files, unchanged,
# from repositories in neither /work/main/tests/compat/SOURCES nor
# /work/tools/holdout/SOURCES (vendor/ rows: support only, ansible-nas's
# requirements.yml roles).
#   KIND  CORPUS-PATH  REPOSITORY  PATH-IN-REPOSITORY  COMMIT  LICENCE
# "check" rows are counted (counted.txt, chosen by select.py's hash order).
# Left out: tests/, molecule/, CI files, docs/, website/, READMEs, images.
X
grep -v '^#' "$H/repos.txt" | while IFS=$'\t' read -r pre mir repo lic; do
	g=$M/$mir/repo; [ -d "$g/.git" ] && g=$g/.git
	(cd "$C/$pre" && find . -type f | sed 's|^\./||' | sort) | while read -r p; do
		rel=$pre/$p; k=support; grep -qxF "$rel" "$H/counted.txt" && k=check
		c=$(git --git-dir="$g" log -1 --format=%H HEAD -- "$p")
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$k" "$rel" "$repo" "$p" "$c" "$lic"
	done
done
} >"$H/SOURCES"
