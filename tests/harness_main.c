/* main() of the test programs: run the case named by argv[1]. */
#include "harness.h"

int main(int argc, char **argv)
{
    return harness_main(argc, argv);
}
