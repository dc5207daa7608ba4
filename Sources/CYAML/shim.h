#ifndef REWRITE_BUILDSPEC_CYAML_SHIM_H
#define REWRITE_BUILDSPEC_CYAML_SHIM_H
// libyaml's event API, from the system's libyaml (Debian: libyaml-dev).
#include <yaml.h>
#endif
