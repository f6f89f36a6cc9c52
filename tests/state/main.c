/* The state test program: runs the case named on the command line. */
#include "cases.h"

int main(int argc, char **argv)
{
    static const th_case *const tables[] = {state_cases, crash_cases, hard_cases, NULL};
    return th_main(argc, argv, tables);
}
