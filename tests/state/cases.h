/* The case tables of the state test programs. */
#ifndef STATE_CASES_H
#define STATE_CASES_H

#include "th.h"

extern const th_case state_cases[];   /* cases_state.c */
extern const th_case crash_cases[];   /* cases_crash.c */
extern const th_case hard_cases[];    /* cases_hard.c */

#endif
