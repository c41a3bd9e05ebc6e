#!/usr/bin/env bash
# copy each repository's snapshot (HEAD) into corpus/PREFIX, unchanged, minus
# tests/, molecule/, CI, docs, READMEs, images.
H=$(cd "$(dirname "$0")" && pwd); M=/work/.mirror
grep -v -e "^#" -e "^vendor/" "$H/repos.txt" | while IFS=$'\t' read -r pre mir repo lic; do
	g=$M/$mir/repo; [ -d "$g/.git" ] && g=$g/.git
	rm -rf "$H/corpus/$pre"; mkdir -p "$H/corpus/$pre"
	git --git-dir="$g" archive HEAD | tar -x -C "$H/corpus/$pre"
	(cd "$H/corpus/$pre" && rm -rf molecule tests test .github .gitlab-ci.yml .travis.yml .drone.yml .woodpecker.yml \
	    .pre-commit-config.yaml .kitchen.yml docs documentation website misc .vscode Vagrantfile* \
	    && find . \( -iname 'README*' -o -name '*.png' -o -name '*.jpg' -o -name '*.gif' -o -name '*.svg' -o -name CHANGELOG.md \) -delete)
done
# support only: requirements.yml roles of ansible-nas (vladgh.samba collection: no snapshot available)
for r in docker nfs; do
	d=$H/corpus/vendor/roles/geerlingguy.$r; rm -rf "$d"; mkdir -p "$d"
	git --git-dir=$M/geerlingguy+ansible-role-$r/repo archive HEAD | tar -x -C "$d"
	(cd "$d" && rm -rf molecule tests .github && find . -iname 'README*' -delete)
done
