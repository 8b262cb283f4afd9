import baseConfig from "@runnel/eslint-config/base";

export default [...baseConfig];
