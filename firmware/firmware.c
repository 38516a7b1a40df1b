/*
 * firmware.c - access to the embedded default firmware (see firmware.h).
 */
#include "firmware/firmware.h"

#include "rvvm_config.h"

#if RVVM_HAVE_FIRMWARE
extern const unsigned char firmware_fw_dynamic[];
extern const unsigned long firmware_fw_dynamic_len;

const uint8_t *firmware_default(size_t *len)
{
    *len = firmware_fw_dynamic_len;
    return firmware_fw_dynamic;
}
#else
const uint8_t *firmware_default(size_t *len)
{
    *len = 0;
    return NULL;
}
#endif
