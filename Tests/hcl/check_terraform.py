#!/usr/bin/env python3
"""Checks rewritten Terraform files with a real HCL parser (python-hcl2), independently of the tool.

Usage: check_terraform.py ORIGINAL REWRITTEN [ORIGINAL REWRITTEN ...]

For every pair: both parse; everything but the buildspec heredocs of aws_codebuild_project is
the same; every buildspec renders (HCL template rules: $${ and %%{ are literal, ${...} an
interpolation) to the original's lines plus only the guard's lines; every interpolation the
rewritten one has is one the original has, or the `name` of an ECR repository whose
`repository_url` the original interpolates. A template file (.tpl, .tftpl, .yml) is parsed as
the body of a heredoc. `terraform fmt -` must accept a rewritten file when it accepts the
original (skipped, saying so, when no terraform binary is installed).
Exit status: 0 all good, 1 a check failed, 3 python-hcl2 is not installed.
"""
import re
import shutil
import subprocess
import sys

try:
    import hcl2
except ImportError:
    print("python-hcl2 is not installed (pip install python-hcl2)", file=sys.stderr)
    sys.exit(3)

GUARD_LINES = [
    re.compile(r'^[A-Z_]+=\$\(aws ecr (list-images|describe-images) .*\)$'),
    re.compile(r'^aws ecr list-images .* > \S+$'),
    re.compile(r'^\|$'),
    re.compile(r'^if .*grep -q "imageDigest".*; then$'),
    re.compile(r'^else$'),
    re.compile(r'^echo "ECR repository had no image before this build; .*"$'),
    re.compile(r'^fi$'),
]


def close(s, i):
    """Index of the brace closing the one opened just before s[i] (quoted strings skipped)."""
    depth, quoted = 1, False
    while i < len(s):
        c = s[i]
        if quoted:
            if c == "\\":
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError("unclosed ${ or %{")


def render(template):
    """(rendered text with «expr» for each interpolation, [expressions], [directives])."""
    out, exprs, directives, i = [], [], [], 0
    while i < len(template):
        if template.startswith("$${", i) or template.startswith("%%{", i):
            out.append(template[i + 1:i + 3])
            i += 3
        elif template.startswith("${", i) or template.startswith("%{", i):
            j = close(template, i + 2)
            inner = template[i + 2:j].strip().strip("~").strip()
            if template[i] == "$":
                exprs.append(inner)
                out.append("\u00ab%s\u00bb" % inner)
            else:
                directives.append(inner)
            i = j + 1
        else:
            out.append(template[i])
            i += 1
    return "".join(out), exprs, directives


def heredoc_body(value):
    """The template a python-hcl2 heredoc value holds, with <<- indentation stripped."""
    m = re.match(r'^"?<<(-?)([A-Za-z_][\w-]*)\r?\n(.*)\n[ \t]*\2"?$', value, re.S)
    if not m:
        return None
    lines = (m.group(3) + "\n").split("\n")[:-1]
    if m.group(1):
        width = min((len(l) - len(l.lstrip(" \t")) for l in lines if l.strip()), default=0)
        lines = [l[min(width, len(l) - len(l.lstrip(" \t"))):] for l in lines]
    return "\n".join(lines) + "\n"


def buildspecs(tree):
    """{(project, block, index): heredoc value} of aws_codebuild_project, and the tree without them."""
    found = {}
    for resource in tree.get("resource", []):
        for rtype, named in resource.items():
            if rtype.strip('"') != "aws_codebuild_project":
                continue
            for name, body in named.items():
                for block in ("source", "secondary_sources"):
                    for index, b in enumerate(body.get(block, [])):
                        if isinstance(b.get("buildspec"), str) and heredoc_body(b["buildspec"]) is not None:
                            found[(name, block, index)] = b["buildspec"]
                            b["buildspec"] = "<buildspec>"
    return found


def norm(line):
    return re.sub(r"^- ", "", line.strip()).strip()


def compare(old, new, where):
    problems = []
    old_text, old_exprs, old_dirs = render(old)
    new_text, new_exprs, new_dirs = render(new)
    if old_dirs != new_dirs:
        problems.append("%s: the directives changed" % where)
    urls = {re.sub(r"\.repository_url$", ".name", e) for e in old_exprs if e.endswith(".repository_url")}
    for e in sorted(set(new_exprs) - set(old_exprs)):
        if e not in urls:
            problems.append("%s: new interpolation ${%s} the original does not have" % (where, e))
    old_lines = [norm(l) for l in old_text.split("\n")]
    new_lines = [norm(l) for l in new_text.split("\n")]
    cursor = 0
    for line in old_lines:
        try:
            cursor = new_lines.index(line, cursor) + 1
        except ValueError:
            problems.append("%s: line lost in the rendered buildspec: %r" % (where, line))
            return problems
    extra = list(new_lines)
    for line in old_lines:
        extra.remove(line)
    for line in extra:
        if line and not any(p.match(line) for p in GUARD_LINES):
            problems.append("%s: rendered line is not the guard's: %r" % (where, line))
    if not extra:
        problems.append("%s: nothing was added" % where)
    return problems


def fmt_accepts(text):
    return subprocess.run(["terraform", "fmt", "-"], input=text.encode(), capture_output=True).returncode == 0


def check(original_path, rewritten_path):
    old = open(original_path, encoding="utf-8", newline="").read()
    new = open(rewritten_path, encoding="utf-8", newline="").read()
    problems = []
    is_template = not original_path.endswith(".tf")
    if is_template:
        wrap = lambda t: "template = <<ENDOFTEMPLATE\n%s%sENDOFTEMPLATE\n" % (t, "" if t.endswith("\n") else "\n")
        old_tree, new_tree = hcl2.loads(wrap(old)), hcl2.loads(wrap(new))
        pairs = [(heredoc_body(old_tree["template"]), heredoc_body(new_tree["template"]), rewritten_path)]
    else:
        old_tree, new_tree = hcl2.loads(old), hcl2.loads(new)
        old_specs, new_specs = buildspecs(old_tree), buildspecs(new_tree)
        if old_tree != new_tree:
            problems.append("%s: the file changed outside its buildspec heredocs" % rewritten_path)
        if sorted(old_specs) != sorted(new_specs):
            problems.append("%s: other buildspec heredocs" % rewritten_path)
        pairs = [(heredoc_body(old_specs[k]), heredoc_body(new_specs[k]), "%s %s.%s[%d]" % (rewritten_path, *k))
                 for k in sorted(old_specs) if k in new_specs and old_specs[k] != new_specs[k]]
        if not pairs:
            problems.append("%s: no buildspec changed" % rewritten_path)
    for o, n, where in pairs:
        problems += compare(o.replace("\r\n", "\n"), n.replace("\r\n", "\n"), where)
    fmt = (lambda t: fmt_accepts(wrap(t))) if is_template else fmt_accepts
    if shutil.which("terraform") and fmt(old) and not fmt(new):
        problems.append("%s: terraform fmt rejects the rewritten file" % rewritten_path)
    return problems


def main(argv):
    if len(argv) < 2 or len(argv) % 2:
        print(__doc__, file=sys.stderr)
        return 2
    if not shutil.which("terraform"):
        print("terraform is not installed: skipping the `terraform fmt -` check")
    problems = []
    for i in range(0, len(argv), 2):
        problems += check(argv[i], argv[i + 1])
    for p in problems:
        print(p)
    print("%d file pairs checked, %d problems" % (len(argv) // 2, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
