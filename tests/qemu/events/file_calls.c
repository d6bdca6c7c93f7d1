/* placeholder */
#include "cases.h"
