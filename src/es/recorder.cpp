// Anchors the recorder interface's vtable in weft_es.
#include "weft/es/recorder.hpp"
