import baseConfig from "@runnel/eslint-config/base";
import reactConfig from "@runnel/eslint-config/react";

export default [...baseConfig, ...reactConfig];
