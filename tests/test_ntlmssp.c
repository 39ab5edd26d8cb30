#include "wgtest.h"
static Suite *s_(void) { Suite *s = suite_create("ntlmssp"); TCase *tc = tcase_create("todo"); suite_add_tcase(s, tc); return s; }
WGT_MAIN(s_)
